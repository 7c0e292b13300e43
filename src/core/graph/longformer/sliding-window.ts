// Longformer's local attention in a block layout that runs as plain batched MatMuls (see DESIGN.md, "A layout for
// the sliding window"). HuggingFace computes the same scores with overlapping chunks and as_strided
// (`_sliding_chunks_query_key_matmul`, modeling_longformer.py#L768-L831); its results are reproduced exactly, also
// for windows that do not divide the padded length and for a window of 2, where HuggingFace itself fails.
//
// Notation: B batch, H heads, P padded length, w one-sided window, d dilation, m = d·w, L = P rounded up to a
// multiple of m (more masked padding, removed again at the end), S = L/d the length of one of the d interleaved
// subsequences (token i = s·d + r is token s of subsequence r), nb = S/w blocks per subsequence, x = max globals.
// Query block n of a subsequence attends to the keys of blocks n-1, n, n+1 (3w keys); the band mask keeps
// the 2w+1 offsets -w..w. With dilation d a token i attends i + d·k for |k| <= w, i.e. offsets -w..w of its
// subsequence, so dilation is a regrouping of the sequence and the same block computation.
import type { GraphBuilder, Value } from '../builder';
import { SLICE_TO_END } from './sequence';
import { type WindowScoresRequest, type WindowTokenScores, windowTokenScores } from './token-scores';

/** A large negative score: exp() of it underflows to exactly 0 next to any real score. */
export const MASKED_SCORE = -1e9;

export interface SlidingWindowInputs {
  /** (B, H, P, dh) queries, already scaled by 1/sqrt(dh). */
  readonly query: Value;
  /** (B, H, P, dh) keys and values from the normal projections. */
  readonly key: Value;
  readonly value: Value;
  /** (B, P) float 1/0: the key may sit in a window (local, not padding and not global). */
  readonly keyInWindow: Value;
  /** (B, H, x, dh) keys and values of each row's global tokens (normal projections). */
  readonly globalKey: Value;
  readonly globalValue: Value;
  /** (B, x) bool: the global slot holds a real global token. */
  readonly globalSlotValid: Value;
  readonly batch: Value;
  readonly padded: Value;
  readonly numGlobal: Value;
  /**
   * Where the (B, d, 1, nb, w, x + 3w) mask bias of each (window, dilation) is kept once made, so that the layers of
   * one graph share it. Without it, each call makes its own.
   */
  readonly scoreBiasCache?: Map<string, Value>;
}

export interface SlidingWindowResult {
  /** (B, H, P, dh) attention output of every query over its global keys and its window. */
  readonly context: Value;
  /** Present when asked: (B, H, P, x) probabilities on the global keys and (B, H, P, 2w+1) on the window offsets. */
  readonly globalProbs?: Value;
  readonly windowProbs?: Value;
  /** Present when asked: the per-token sums of token-scores.ts, per head. */
  readonly tokenScores?: WindowTokenScores;
}

export interface SlidingWindowShape {
  readonly heads: number;
  readonly headDim: number;
  /** One-sided window w = attention_window / 2. */
  readonly oneSided: number;
  readonly dilation: number;
  /**
   * The padded length is always a multiple of d·w (true when the model pads to a multiple of d·w), so the sequence
   * needs no extra padding for the block layout. Saves a copy of the queries, keys, values and the output.
   */
  readonly paddedIsMultipleOfBlock?: boolean;
  /** Return the probabilities too, per head; absent: the context only. */
  readonly probs?: boolean;
  /** Return token-scores.ts's per-token sums of the probabilities (small), instead of the probabilities. */
  readonly tokenScores?: WindowScoresRequest;
}

export function slidingWindowAttention(b: GraphBuilder, inputs: SlidingWindowInputs, shape: SlidingWindowShape): SlidingWindowResult {
  const { heads: H, headDim: dh, oneSided: w, dilation: d } = shape;
  const { batch: B, padded: P, numGlobal: x } = inputs;
  const m = d * w;
  const aligned = shape.paddedIsMultipleOfBlock === true;
  const L = aligned ? P : b.mul(b.div(b.add(P, b.constInt64([m - 1])), b.constInt64([m])), b.constInt64([m]));
  const S = b.div(L, b.constInt64([d]));
  const nb = b.div(S, b.constInt64([w]));

  /** (B, heads, P, F) → (B, d, heads, S, F), padding the sequence to L with zeros. */
  const toGroups = (t: Value, F: Value | number, groupHeads: number = H): Value => {
    const padded = aligned
      ? t
      : b.pad(t, b.concat([b.constInt64([0, 0, 0, 0, 0, 0]), b.sub(L, P), b.constInt64([0])], 0), b.scalarFloat(0)); // (B, H, L, F)
    if (d === 1) return b.reshapeExact(padded, [B, 1, groupHeads, S, F]); // (B, 1, heads, S, F)
    const split = b.reshapeExact(padded, [B, groupHeads, S, d, F]); // (B, heads, S, d, F)
    return b.transpose(split, [0, 3, 1, 2, 4]); // (B, d, H, S, F)
  };
  /** (B, d, H, S, F) → (B, d, H, nb, w, F). */
  const groupsToBlocks = (g: Value, F: Value | number): Value => b.reshapeExact(g, [B, d, H, nb, w, F]); // (B, d, H, nb, w, F)
  /** (B, d, heads, nb, w, F) → (B, heads, P, F), dropping the extra padding. */
  const fromBlocks = (t: Value, F: Value | number, blockHeads: number = H): Value => {
    let full: Value;
    if (d === 1) {
      full = b.reshapeExact(t, [B, blockHeads, L, F]); // (B, heads, L, F)
    } else {
      const groups = b.reshapeExact(t, [B, d, blockHeads, S, F]); // (B, d, heads, S, F)
      const interleaved = b.transpose(groups, [0, 2, 3, 1, 4]); // (B, heads, S, d, F)
      full = b.reshapeExact(interleaved, [B, blockHeads, L, F]); // (B, heads, L, F)
    }
    return aligned ? full : b.slice(full, b.constInt64([0]), P, [2]); // (B, heads, P, F)
  };
  /** (B, d, H, S, F) → (B, d, H, nb, 3w, F): for each block the keys of the previous, own and next block. */
  const keyWindows = (g: Value, F: number): Value => {
    const padded = b.pad(g, b.constInt64([0, 0, 0, w, 0, 0, 0, 0, w, 0]), b.scalarFloat(0)); // (B, d, H, S + 2w, F)
    const previous = b.slice(padded, [0], [-2 * w], [3]); // (B, d, H, S, F)
    const own = b.slice(padded, [w], [-w], [3]);
    const next = b.slice(padded, [2 * w], [SLICE_TO_END], [3]);
    return b.concat([groupsToBlocks(previous, F), groupsToBlocks(own, F), groupsToBlocks(next, F)], 4); // (B, d, H, nb, 3w, F)
  };

  const queryBlocks = groupsToBlocks(toGroups(inputs.query, dh), dh); // (B, d, H, nb, w, dh)
  const keyBlocks = keyWindows(toGroups(inputs.key, dh), dh); // (B, d, H, nb, 3w, dh)
  const valueBlocks = keyWindows(toGroups(inputs.value, dh), dh); // (B, d, H, nb, 3w, dh)

  // Each row's global keys go in front of every block's 3w window keys (`_concat_with_global_key_attn_probs`,
  // modeling_longformer.py#L897-L927), so one MatMul gives the global and the window scores side by side and one
  // softmax runs over both, with no copies of the score tensor in between.
  const blockDims = [B, d, H, nb];
  const globalKeys = b.expand(b.unsqueeze(inputs.globalKey, [1, 3]), b.shapeFrom([...blockDims, x, dh])); // (B, d, H, nb, x, dh)
  const globalValues = b.expand(b.unsqueeze(inputs.globalValue, [1, 3]), b.shapeFrom([...blockDims, x, dh])); // (B, d, H, nb, x, dh)
  const keys = b.concat([globalKeys, keyBlocks], 4); // (B, d, H, nb, x + 3w, dh)
  const values = b.concat([globalValues, valueBlocks], 4); // (B, d, H, nb, x + 3w, dh)
  const scores = b.matMul(queryBlocks, b.transpose(keys, [0, 1, 2, 3, 5, 4])); // (B, d, H, nb, w, x + 3w)

  // Every mask is one additive bias, the same for all heads and all layers with this window and dilation: made
  // once per run (scoreBiasCache) and added in a single pass over the score tensor, right before the softmax.
  const cacheKey = `${w}/${d}`;
  let bias = inputs.scoreBiasCache?.get(cacheKey);
  if (bias === undefined) {
    bias = b.scoped(`window_bias_${w}_${d}`, () => windowScoreBias(b, inputs, { w, d, nb, toGroups }));
    inputs.scoreBiasCache?.set(cacheKey, bias);
  }
  const K = b.add(x, b.constInt64([3 * w]));
  const probs = b.softmax(b.add(scores, bias), -1); // (B, d, H, nb, w, x + 3w)
  const context = fromBlocks(b.matMul(probs, values), dh); // (B, d, H, nb, w, dh) → (B, H, P, dh)
  if (shape.tokenScores !== undefined) {
    const request = shape.tokenScores;
    const layout = { B, d, heads: H, w, x, nb, S, K, toGroups, fromBlocks };
    return { context, tokenScores: b.scoped('token_scores', () => windowTokenScores(b, probs, request, layout)) };
  }
  if (shape.probs !== true) return { context };
  const globalProbs = b.slice(probs, b.constInt64([0]), x, [5]); // (B, d, H, nb, w, x)
  const localProbs = b.slice(probs, x, b.constInt64([SLICE_TO_END]), [5]); // (B, d, H, nb, w, 3w)

  // Window probabilities by offset: row a of a block holds offsets -w..w at columns a..a+2w of its 3w keys.
  // Flattening (w, 3w) and re-reading it with row stride 3w + 1 shifts row a left by a.
  const flat = b.reshapeExact(localProbs, [B, d, H, nb, w * 3 * w]); // (B, d, H, nb, w·3w)
  const widened = b.pad(flat, b.constInt64([0, 0, 0, 0, 0, 0, 0, 0, 0, w]), b.scalarFloat(0)); // (B, d, H, nb, w·(3w+1))
  const skewed = b.reshapeExact(widened, [B, d, H, nb, w, 3 * w + 1]); // (B, d, H, nb, w, 3w + 1)
  const byOffset = b.slice(skewed, [0], [2 * w + 1], [5]); // (B, d, H, nb, w, 2w + 1)
  return { context, globalProbs: fromBlocks(globalProbs, x, H), windowProbs: fromBlocks(byOffset, 2 * w + 1, H) };
}

/**
 * The masks as one additive bias (modeling_longformer.py#L563-L580): a key a query may not see gets MASKED_SCORE.
 * What depends on the key alone: filler global slots, padding and global keys in a window, window keys outside the
 * sequence. What depends on the query's place in its block: the band |offset| <= w (query a and window key c have
 * offset c - w - a). Result (B, d, 1, nb, w, x + 3w), broadcast over the heads.
 */
function windowScoreBias(
  b: GraphBuilder,
  inputs: SlidingWindowInputs,
  layout: { w: number; d: number; nb: Value; toGroups: (t: Value, F: Value | number, groupHeads?: number) => Value },
): Value {
  const { w, d, nb } = layout;
  const { batch: B, numGlobal: x } = inputs;
  const slotOk = b.unsqueeze(b.cast(inputs.globalSlotValid, 'float32'), [1, 2]); // (B, 1, 1, x)
  const slotOkBlocks = b.expand(slotOk, b.shapeFrom([B, d, nb, x])); // (B, d, nb, x)
  const keyMaskGroups = layout.toGroups(b.unsqueeze(inputs.keyInWindow, [1, 3]), 1, 1); // (B, d, 1, S, 1)
  const keyOk = b.concat([slotOkBlocks, keyWindowsMask(b, keyMaskGroups, w, B, d, nb)], 3); // (B, d, nb, x + 3w)
  const keyBias = b.mul(b.sub(b.scalarFloat(1), keyOk), b.scalarFloat(MASKED_SCORE)); // (B, d, nb, x + 3w): 0 or MASKED_SCORE

  const band: number[] = [];
  for (let a = 0; a < w; a += 1) for (let c = 0; c < 3 * w; c += 1) band.push(c >= a && c <= a + 2 * w ? 0 : MASKED_SCORE);
  const globalColumns = b.expand(b.scalarFloat(0), b.shapeFrom([w, x])); // (w, x)
  const bandBias = b.concat([globalColumns, b.constFloat(band, [w, 3 * w])], 1); // (w, x + 3w)
  return b.unsqueeze(b.add(b.unsqueeze(keyBias, [3]), bandBias), [2]); // (B, d, nb, w, x + 3w) → (B, d, 1, nb, w, x + 3w)
}

/** (B, d, 1, S, 1) float key mask → (B, d, nb, 3w) float: the mask of each block's 3w-key window, 0 outside. */
function keyWindowsMask(b: GraphBuilder, groups: Value, w: number, B: Value, d: number, nb: Value): Value {
  const flat = b.reshapeExact(groups, [B, d, -1]); // (B, d, S)
  const padded = b.pad(flat, b.constInt64([0, 0, w, 0, 0, w]), b.scalarFloat(0)); // (B, d, S + 2w)
  const previous = b.reshapeExact(b.slice(padded, [0], [-2 * w], [2]), [B, d, nb, w]); // (B, d, nb, w)
  const own = b.reshapeExact(b.slice(padded, [w], [-w], [2]), [B, d, nb, w]); // (B, d, nb, w)
  const next = b.reshapeExact(b.slice(padded, [2 * w], [SLICE_TO_END], [2]), [B, d, nb, w]); // (B, d, nb, w)
  return b.concat([previous, own, next], 3); // (B, d, nb, 3w)
}
