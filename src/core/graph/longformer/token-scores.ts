// Per-token attention scores for every layer and head, computed inside the graph for the attention overlay: each
// layer gives a few tensors of (batch, heads, sequence) size from which every overlay mode's map is assembled in JS
// (tasks/attention.ts), for every layer and head at once, without fetching the (B, H, P, x + 2w + 1) per-head
// attentions (for the base model 2.4 GB per 4,096-token chunk for all layers).
//
// What is summed is HuggingFace's `attentions` / `global_attentions` (modeling_longformer.py#L600-L660): rows of
// global tokens and of padding are zero in `attentions` (the global rows' attention is `global_attentions`), a
// filler global slot is not a token (sequence.ts). Masked probabilities are exactly 0 after the softmax (a real
// local row always sees itself, so exp(MASKED_SCORE - max) underflows to 0), so sums over masked columns are exact.
import type { GraphBuilder, Value } from '../builder';
import { SLICE_TO_END, type SequenceInfo } from './sequence';

/** The int64 [1] input of the token-scores variant: the position whose own attention row is returned. */
export const ATTENTION_QUERY_INPUT = 'attention_query';

/** The outputs of one layer, all per head; S is the given length, x the global slots (filler slot included). */
export interface LayerTokenScores {
  /** (B, H, S): Σ over the row's real global tokens of their attention to each token (global_attentions summed). */
  readonly globalReceived: Value;
  /** (B, H, S): Σ over the real local rows of their window attention to each token (attentions' window columns). */
  readonly localReceived: Value;
  /** (B, H, x): Σ over the real local rows of their attention to each global slot (attentions' global columns). */
  readonly localToGlobals: Value;
  /** (B, H, x + 2w + 1): the query position's `attentions` row: global slots, then offsets -w..w (times dilation). */
  readonly queryLocal: Value;
  /** (B, H, S): the query position's `global_attentions` column when it is a real global token, else zeros. */
  readonly queryGlobal: Value;
}

export const TOKEN_SCORE_PARTS = ['globalReceived', 'localReceived', 'localToGlobals', 'queryLocal', 'queryGlobal'] as const;
export type TokenScorePart = (typeof TOKEN_SCORE_PARTS)[number];

export function tokenScoresOutputName(part: TokenScorePart, layer: number): string {
  return `token_scores.${part}.${layer}`;
}

/** What the sliding window needs to sum its blocked probabilities. */
export interface WindowScoresRequest {
  /** (B, P) float 1/0: the row is a real local token (not global, not padding), the rows `attentions` keeps. */
  readonly rowIsLocal: Value;
  /** int64 [1]: ATTENTION_QUERY_INPUT. */
  readonly query: Value;
}

/** The window part of a layer's scores, for the heads of one head group. */
export interface WindowTokenScores {
  /** (B, heads, P) */
  readonly localReceived: Value;
  /** (B, heads, x) */
  readonly localToGlobals: Value;
  /** (B, heads, x + 2w + 1) */
  readonly queryLocal: Value;
}

export interface BlockLayout {
  readonly B: Value;
  readonly d: number;
  readonly heads: number;
  readonly w: number;
  readonly x: Value;
  readonly nb: Value;
  readonly S: Value;
  readonly K: Value;
  /** (B, heads, P, F) → (B, d, heads, S, F), as in sliding-window.ts. */
  readonly toGroups: (t: Value, F: Value | number, groupHeads?: number) => Value;
  /** (B, d, heads, nb, w, F) → (B, heads, P, F), as in sliding-window.ts. */
  readonly fromBlocks: (t: Value, F: Value | number, blockHeads?: number) => Value;
}

/**
 * From the blocked probabilities (B, d, H, nb, w, x + 3w) (sliding-window.ts): column sums S over the real local rows
 * of each block (one batched MatMul with a row mask, (B, d, H, nb, 1, x + 3w), small), with the 3w window columns
 * folded back onto their keys. Window column c of block n is key c of block n - 1 (c < w), key c - w of block n
 * (c < 2w) or key c - 2w of block n + 1, so the keys of block n receive S[n + 1][0:w] + S[n][w:2w] + S[n - 1][2w:3w].
 * The x global columns are the local rows' attention to the global slots. Also the query position's row.
 */
export function windowTokenScores(b: GraphBuilder, probs: Value, request: WindowScoresRequest, layout: BlockLayout): WindowTokenScores {
  const { B, d, heads: H, w, x, nb, S, K } = layout;
  const rowMask = b.reshapeExact(layout.toGroups(b.unsqueeze(request.rowIsLocal, [1, 3]), 1, 1), [B, d, 1, nb, 1, w]); // (B, d, 1, nb, 1, w)
  const sums = b.reshapeExact(b.matMul(rowMask, probs), [B, d, H, nb, K]); // (B, d, H, nb, 1, x + 3w) → (B, d, H, nb, x + 3w)
  const localToGlobals = b.reduceSum(b.slice(sums, [0], x, [4]), [1, 3], false); // (B, H, x)

  const windowSums = b.slice(sums, x, [SLICE_TO_END], [4]); // (B, d, H, nb, 3w)
  const previous = b.slice(windowSums, [0], [w], [4]); // keys of block n - 1
  const own = b.slice(windowSums, [w], [2 * w], [4]); // keys of block n
  const next = b.slice(windowSums, [2 * w], [3 * w], [4]); // keys of block n + 1
  // Padded by one block before slicing, so no tensor is empty when nb is 1 (WebGPU rejects empty dispatches).
  const zero = b.scalarFloat(0);
  const fromAfter = b.slice(b.pad(previous, b.constInt64([0, 0, 0, 0, 0, 0, 0, 0, 1, 0]), zero), [1], [SLICE_TO_END], [3]); // S[n + 1][0:w]
  const fromBefore = b.slice(b.pad(next, b.constInt64([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), zero), [0], [-1], [3]); // S[n - 1][2w:3w]
  const byKey = b.add(b.add(own, fromAfter), fromBefore); // (B, d, H, nb, w)
  const localReceived = b.squeeze(layout.fromBlocks(b.unsqueeze(byKey, [5]), 1), [3]); // (B, H, P)

  // The query's row: token q is token s = q / d of subsequence r = q mod d, row a = s mod w of its block, whose
  // offsets -w..w sit at window columns a..a + 2w (sliding-window.ts, "Window probabilities by offset").
  const dilation = b.constInt64([d]);
  const oneSided = b.constInt64([w]);
  const s = b.div(request.query, dilation);
  const r = b.sub(request.query, b.mul(s, dilation));
  const a = b.sub(s, b.mul(b.div(s, oneSided), oneSided));
  // The row first (a small gather), then its subsequence: gathering the subsequence first would copy the whole tensor.
  const ofPosition = b.gather(b.reshapeExact(probs, [B, d, H, S, K]), s, 3); // (B, d, H, 1, x + 3w)
  const row = b.reshapeExact(b.gather(ofPosition, r, 1), [B, H, 1, K]); // (B, 1, H, 1, x + 3w) → (B, H, 1, x + 3w)
  const start = b.add(x, a);
  const window = b.slice(row, start, b.add(start, b.constInt64([2 * w + 1])), [3]); // (B, H, 1, 2w + 1)
  const queryLocal = b.squeeze(b.concat([b.slice(row, [0], x, [3]), window], 3), [2]); // (B, H, x + 2w + 1)
  return { localReceived, localToGlobals, queryLocal };
}

/** From a layer's global probabilities (B, H, P, x) (global-attention.ts): the sum over real slots and the query's. */
export function globalTokenScores(
  b: GraphBuilder,
  globalProbs: Value,
  seq: SequenceInfo,
  query: Value,
): { readonly globalReceived: Value; readonly queryGlobal: Value } {
  const slotValid = b.unsqueeze(b.cast(seq.globalSlotValid, 'float32'), [1, 3]); // (B, 1, x, 1)
  const isQuery = b.and(b.equal(seq.globalPositions, query), seq.globalSlotValid); // (B, x)
  const querySlot = b.unsqueeze(b.cast(isQuery, 'float32'), [1, 3]); // (B, 1, x, 1)
  return {
    globalReceived: b.squeeze(b.matMul(globalProbs, slotValid), [3]), // (B, H, P)
    queryGlobal: b.squeeze(b.matMul(globalProbs, querySlot), [3]), // (B, H, P)
  };
}
