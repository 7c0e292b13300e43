// Every layer and head's attention map at once, from one run of the token-scores graph (graph/longformer/
// token-scores.ts): a score cube of layers × heads × tokens per mode, from which any selection (one layer or the mean
// over layers, one head or the mean over heads) is a pure average of its rows (selectScores), so switching layer or
// head needs no model run. The modes are those of attention.ts, with HuggingFace's semantics (chunkAttentionScores
// computes the same from the per-head `attentions` / `global_attentions`; the tests hold the two equal).
// Pure and free of the engine, so the extension host derives maps from a cube with it.
import { LensError } from '../errors';
import type { TokenScoreTensors } from '../runtime/engine';
import type { AttentionCube, AttentionMap, AttentionMode, AttentionSelection } from './attention';

/** One batch row's token-score tensors, as the engine gave them for one run. */
export interface ChunkTokenScores {
  /** Per layer, every layer: (batch, heads, ...) tensors. */
  readonly layers: readonly TokenScoreTensors[];
  /** The row of the batch. */
  readonly row: number;
  /** The row's global positions, ascending (its global slots in order). */
  readonly globalPositions: Int32Array;
  /** Per layer: the dilation of its window (the query row's offset o is the token o · dilation away). */
  readonly dilations: readonly number[];
}

/** A cube: `layers` × `heads` rows of `tokens` values, row (layer, head) at (layer · heads + head) · tokens. */
export interface ScoreCube {
  readonly layers: number;
  readonly heads: number;
  readonly tokens: number;
  readonly scores: Float32Array;
}

/**
 * The pure part: one chunk row's cube over its `seq` positions for a mode. `token` is a position in the chunk (mode
 * 'token'; it must be the query the run was given).
 */
export function chunkScoreCube(chunk: ChunkTokenScores, seq: number, mode: AttentionMode, token?: number): ScoreCube {
  const layers = chunk.layers.length;
  const first = chunk.layers[0]!;
  const [, heads, length] = first.globalReceived.shape as [number, number, number];
  const slots = first.localToGlobals.shape[2]!; // the batch's global slots (one filler slot when none)
  const x = chunk.globalPositions.length;
  const cube = new Float32Array(layers * heads * seq);
  const slotOf = new Map<number, number>();
  chunk.globalPositions.forEach((position, k) => slotOf.set(position, k));
  const into = new Float64Array(seq);
  for (let layer = 0; layer < layers; layer += 1) {
    const t = chunk.layers[layer]!;
    const dilation = chunk.dilations[layer] ?? 1;
    for (let head = 0; head < heads; head += 1) {
      into.fill(0);
      const at = (chunk.row * heads + head) * length; // a (B, H, S) tensor's row
      if (mode === 'global') {
        if (x > 0) for (let j = 0; j < seq; j += 1) into[j] = t.globalReceived.data[at + j]! / x;
      } else if (mode === 'received') {
        for (let j = 0; j < seq; j += 1) into[j] = t.globalReceived.data[at + j]! + t.localReceived.data[at + j]!;
        const slotsAt = (chunk.row * heads + head) * slots;
        for (let k = 0; k < x; k += 1) into[chunk.globalPositions[k]!]! += t.localToGlobals.data[slotsAt + k]!;
      } else if (slotOf.has(token!)) {
        for (let j = 0; j < seq; j += 1) into[j] = t.queryGlobal.data[at + j]!;
      } else {
        const width = t.queryLocal.shape[2]!;
        const w = (width - slots - 1) / 2;
        const rowAt = (chunk.row * heads + head) * width;
        for (let k = 0; k < x; k += 1) into[chunk.globalPositions[k]!]! += t.queryLocal.data[rowAt + k]!;
        for (let o = -w; o <= w; o += 1) {
          const j = token! + o * dilation;
          if (j >= 0 && j < seq) into[j]! += t.queryLocal.data[rowAt + slots + w + o]!;
        }
      }
      cube.set(into, (layer * heads + head) * seq);
    }
  }
  return { layers, heads, tokens: seq, scores: cube };
}

/** The map of a selection: the mean of the cube's rows for the chosen layer(s) and head(s), in float64. */
export function selectScores(cube: ScoreCube, selection: AttentionSelection): Float32Array {
  const layers = selection.layer === undefined ? [...Array(cube.layers).keys()] : [selection.layer];
  const heads = selection.head === undefined ? [...Array(cube.heads).keys()] : [selection.head];
  for (const layer of layers) {
    if (!Number.isInteger(layer) || layer < 0 || layer >= cube.layers) throw new RangeError(`layer ${layer} is not in the cube`);
  }
  for (const head of heads) {
    if (!Number.isInteger(head) || head < 0 || head >= cube.heads) throw new RangeError(`head ${head} is not in the cube`);
  }
  const n = cube.tokens;
  const sum = new Float64Array(n);
  for (const layer of layers) {
    for (const head of heads) {
      const at = (layer * cube.heads + head) * n;
      for (let j = 0; j < n; j += 1) sum[j]! += cube.scores[at + j]!;
    }
  }
  const weight = 1 / (layers.length * heads.length);
  const out = new Float32Array(n);
  for (let j = 0; j < n; j += 1) out[j] = sum[j]! * weight;
  return out;
}

/** Checks a selection against the model's layers and heads (LensError BAD_ARGUMENT, the valid range). */
export function checkSelection(layers: number, heads: number, selection: AttentionSelection): void {
  const { layer, head } = selection;
  if (layer !== undefined && (!Number.isInteger(layer) || layer < 0 || layer >= layers)) {
    throw new LensError('BAD_ARGUMENT', `layer ${layer} does not exist; the model has layers 0 to ${layers - 1}.`);
  }
  if (head !== undefined && (!Number.isInteger(head) || head < 0 || head >= heads)) {
    throw new LensError('BAD_ARGUMENT', `head ${head} does not exist; the model has heads 0 to ${heads - 1}.`);
  }
}

/** The map of one selection, derived from a cube without the model. */
export function attentionMapOf(cube: AttentionCube, selection: AttentionSelection): AttentionMap {
  checkSelection(cube.layers, cube.heads, selection);
  const { mode, starts, ends, globalTokens, warnings, token, provider, precision, providerNote, precisionNote, approximation } = cube;
  return {
    mode,
    layer: selection.layer ?? 'mean',
    head: selection.head ?? 'mean',
    starts,
    ends,
    scores: selectScores(cube, selection),
    globalTokens,
    warnings,
    provider,
    precision,
    ...(token === undefined ? {} : { token }),
    ...(providerNote === undefined ? {} : { providerNote }),
    ...(precisionNote === undefined ? {} : { precisionNote }),
    ...(approximation === undefined ? {} : { approximation }),
  };
}
