// Attention maps for the overlay, read from the model's `attentions` and `global_attentions` outputs.
//
// Layouts (HuggingFace's, see test/fixtures/README.md), for one chunk with x global tokens and window w per side:
// - attentions[layer]: (1, heads, seq, x + 2w + 1). Row i of a local token: columns 0..x-1 are its attention to the
//   global tokens (ascending positions), column x + w + o its attention to token i + o. Rows of global tokens are 0.
// - global_attentions[layer]: (1, heads, paddedSeq, x). Column k is the k-th global token's attention over every
//   position (the real positions are the first seq).
// Modes: 'global' = mean over the global tokens of their attention to each token; 'received' = total attention each
// token receives from all tokens; 'token' = one token's attention over its window and the globals. Values are for one
// layer/head or averaged over layers and/or heads. In a long document each token's value comes from the chunk that
// owns it (see chunkOwnership); 'token' mode runs only the chunk that owns the chosen token.
//
// One engine run per chunk gives the map of every layer and head at once (attentionCube: the token-scores graph sums
// the probabilities per token inside the model, graph/longformer/token-scores.ts, a few (heads × tokens) tensors per
// layer instead of the per-head `attentions`), and any selection is the mean of the cube's rows (selectScores), so a
// switch of layer or head never runs the model again. chunkAttentionScores computes a map from HuggingFace's per-head
// `attentions` / `global_attentions`: the definition the cube is tested against (test/integration/attention-cube).
import type { FloatTensor } from '../checkpoint/tensor';
import { LensError } from '../errors';
import type { Engine, RunInfo } from '../runtime/engine';
import { attentionMapOf, checkSelection, chunkScoreCube, type ScoreCube } from './attention-cube';
import type { RobertaTokenizer } from '../tokenizer/tokenizer';
import { chunkOwnership } from './chunking';
import { type ChunkInput, type DocumentTaskOptions, prepareDocument, runChunks, runInfo } from './pipeline';
import { tokenAtOffset } from './token-offsets';

export type AttentionMode = 'global' | 'received' | 'token';

export interface AttentionSelection {
  /** A layer index, or undefined for the mean over layers. */
  readonly layer?: number;
  /** A head index, or undefined for the mean over heads. */
  readonly head?: number;
}

export interface AttentionCubeOptions extends DocumentTaskOptions {
  readonly mode?: AttentionMode;
  /** Document token index for mode 'token' (see tokenAtOffset). */
  readonly token?: number;
  /** Instead of `token`: a UTF-16 offset (an editor cursor); the token there is found on the document's own tokens. */
  readonly at?: number;
}

export interface AttentionOptions extends AttentionCubeOptions, AttentionSelection {}

/** What one chunk's run gave: per-layer tensors and the chunk positions that had global attention. */
export interface ChunkAttentions {
  readonly attentions: readonly FloatTensor[];
  readonly globalAttentions?: readonly FloatTensor[] | undefined;
  readonly globalPositions: Int32Array;
  /**
   * The window dilation of each entry of `attentions` (default 1): offset o of a row is the token o · dilation away.
   * HuggingFace ignores dilation; the engine supports it (graph/longformer/sliding-window.ts).
   */
  readonly dilations?: readonly number[];
}

export { tokenAtOffset } from './token-offsets';
export { attentionMapOf, checkSelection, selectScores } from './attention-cube';

export interface AttentionMap extends RunInfo {
  readonly mode: AttentionMode;
  readonly layer: number | 'mean';
  readonly head: number | 'mean';
  /** UTF-16 ranges of the document tokens. */
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  /** One value per document token. */
  readonly scores: Float32Array;
  /** Document tokens that had global attention through the caller's spans. */
  readonly globalTokens: Int32Array;
  /** The chosen token (mode 'token'). */
  readonly token?: number;
  readonly warnings: readonly string[];
}

/** Every layer and head's map of one mode (and token): `scores` holds layers × heads rows of one value per token. */
export interface AttentionCube extends RunInfo, ScoreCube {
  readonly mode: AttentionMode;
  /** UTF-16 ranges of the document tokens. */
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  /** Document tokens that had global attention through the caller's spans. */
  readonly globalTokens: Int32Array;
  /** The chosen token (mode 'token'). */
  readonly token?: number;
  readonly warnings: readonly string[];
}

/** Adds one query row's attention (for one layer and head) into `into`, scaled by `weight`. */
function addRow(
  into: Float64Array,
  chunk: ChunkAttentions,
  layer: number,
  head: number,
  query: number,
  globalIndex: Int32Array,
  weight: number,
): void {
  const seq = into.length;
  const x = chunk.globalPositions.length;
  const k = globalIndex[query]!;
  if (k >= 0) {
    const global = chunk.globalAttentions?.[layer];
    if (global === undefined)
      throw new LensError('RUNTIME_FAILED', 'the model returned no global_attentions for a chunk with global tokens.');
    const [, , padded] = global.shape as [number, number, number, number];
    const base = head * padded * x;
    for (let j = 0; j < seq; j += 1) into[j]! += weight * global.data[base + j * x + k]!;
    return;
  }
  const local = chunk.attentions[layer]!;
  const width = local.shape[3]!;
  const w = (width - x - 1) / 2;
  const base = (head * seq + query) * width;
  for (let g = 0; g < x; g += 1) into[chunk.globalPositions[g]!]! += weight * local.data[base + g]!;
  const dilation = chunk.dilations?.[layer] ?? 1;
  for (let o = -w; o <= w; o += 1) {
    const j = query + o * dilation;
    if (j >= 0 && j < seq) into[j]! += weight * local.data[base + x + w + o]!;
  }
}

/**
 * The pure part: one chunk's map over its `seq` positions. `token` is a position in the chunk (mode 'token').
 * Layer and head ranges are checked by the caller.
 */
export function chunkAttentionScores(
  chunk: ChunkAttentions,
  seq: number,
  mode: AttentionMode,
  selection: AttentionSelection,
  token?: number,
): Float32Array {
  const layers = selection.layer === undefined ? [...chunk.attentions.keys()] : [selection.layer];
  const heads = chunk.attentions[0]!.shape[1]!;
  const headList = selection.head === undefined ? [...Array(heads).keys()] : [selection.head];
  const x = chunk.globalPositions.length;
  const globalIndex = new Int32Array(seq).fill(-1);
  chunk.globalPositions.forEach((position, k) => {
    globalIndex[position] = k;
  });
  const sum = new Float64Array(seq);
  const weight = 1 / (layers.length * headList.length);
  for (const layer of layers) {
    for (const head of headList) {
      if (mode === 'token') {
        addRow(sum, chunk, layer, head, token!, globalIndex, weight);
      } else if (mode === 'received') {
        for (let i = 0; i < seq; i += 1) addRow(sum, chunk, layer, head, i, globalIndex, weight);
      } else {
        for (const position of chunk.globalPositions) addRow(sum, chunk, layer, head, position, globalIndex, weight / x);
      }
    }
  }
  return Float32Array.from(sum);
}

/** One selection's map: the cube of its mode, then the selection (attentionMapOf). */
export async function attention(
  engine: Engine,
  tokenizer: RobertaTokenizer,
  document: string,
  options: AttentionOptions = {},
): Promise<AttentionMap> {
  checkSelection(engine.config.numHiddenLayers, engine.config.numAttentionHeads, options);
  return attentionMapOf(await attentionCube(engine, tokenizer, document, options), options);
}

/** Every layer and head's map of a mode: one engine run per chunk (only the chunk owning the token in mode 'token'). */
export async function attentionCube(
  engine: Engine,
  tokenizer: RobertaTokenizer,
  document: string,
  options: AttentionCubeOptions = {},
): Promise<AttentionCube> {
  const config = engine.config;
  const mode = options.mode ?? 'global';
  const prepared = prepareDocument(config, tokenizer, document, options);
  const { starts, ends } = prepared.tokens;
  const n = starts.length;
  let inputs: readonly ChunkInput[] = prepared.inputs;
  const owners = chunkOwnership(prepared.chunks);
  let tokenPosition: number | undefined;
  let chosenToken: number | undefined;
  if (mode === 'token') {
    const token = options.at === undefined ? options.token : tokenAtCharOffset(starts, ends, options.at, document.length);
    chosenToken = token;
    if (token === undefined || !Number.isInteger(token) || token < 0 || token >= n) {
      throw new LensError('BAD_ARGUMENT', `mode 'token' needs a token index from 0 to ${n - 1}; got ${String(token)}.`);
    }
    const owner = owners.findIndex((own) => token >= own.start && token < own.end);
    const input = prepared.inputs[owner]!;
    inputs = [input];
    tokenPosition = input.documentToken.indexOf(token);
  }
  const layers = config.numHiddenLayers;
  const heads = config.numAttentionHeads;
  const scores = new Float32Array(layers * heads * n);
  const run = { tokenScores: { query: tokenPosition ?? 0 } };
  const ran = await runChunks(engine, inputs, [], { ...options, run }, (input, result) => {
    if (result.tokenScores === undefined) throw new LensError('RUNTIME_FAILED', 'the model returned no token scores.');
    const globalPositions: number[] = [];
    input.global.forEach((flag, p) => {
      if (flag === 1) globalPositions.push(p);
    });
    const seq = input.ids.length;
    const chunk = {
      layers: result.tokenScores,
      row: 0,
      globalPositions: Int32Array.from(globalPositions),
      dilations: config.attentionDilation,
    };
    const cube = chunkScoreCube(chunk, seq, mode, tokenPosition);
    const own = owners[input.chunk.index]!;
    input.documentToken.forEach((token, p) => {
      if (token < 0 || (mode !== 'token' && (token < own.start || token >= own.end))) return;
      for (let row = 0; row < layers * heads; row += 1) scores[row * n + token] = cube.scores[row * seq + p]!;
    });
  });
  const result: AttentionCube = {
    mode,
    layers,
    heads,
    tokens: n,
    scores,
    starts,
    ends,
    globalTokens: prepared.spanTokens,
    warnings: prepared.warnings,
    ...runInfo(ran),
  };
  return chosenToken === undefined ? result : { ...result, token: chosenToken };
}

function tokenAtCharOffset(starts: Uint32Array, ends: Uint32Array, offset: number, length: number): number {
  if (!Number.isInteger(offset) || offset < 0 || offset >= length) {
    throw new LensError('BAD_ARGUMENT', `offset ${offset} is outside the document (0 to ${length - 1}).`);
  }
  return tokenAtOffset(starts, ends, offset);
}
