// What `longformer-lens bench` measures against: the synthetic models with the published shapes, the model's useful
// work per run, and the inputs every run gets. Pure functions, unit-tested without a model.
import { syntheticConfig, type SyntheticConfigOptions } from '../checkpoint/synthetic';
import type { LongformerConfig } from '../checkpoint/config';
import type { ModelInputs } from '../runtime/engine';

export type BenchModel = 'tiny' | 'base' | 'large';
export const BENCH_MODELS: readonly BenchModel[] = ['tiny', 'base', 'large'];

/** Published shapes (allenai/longformer-base-4096 and -large-4096); tiny is the fixtures' size, for CI. */
const SHAPES: Readonly<Record<BenchModel, SyntheticConfigOptions>> = {
  tiny: { numHiddenLayers: 2, hiddenSize: 32, numAttentionHeads: 4, intermediateSize: 128, attentionWindow: 8, vocabSize: 120 },
  base: { numHiddenLayers: 12, hiddenSize: 768, numAttentionHeads: 12, intermediateSize: 3072, attentionWindow: 512, vocabSize: 50265 },
  large: { numHiddenLayers: 24, hiddenSize: 1024, numAttentionHeads: 16, intermediateSize: 4096, attentionWindow: 512, vocabSize: 50265 },
};

/**
 * The synthetic model for a benchmark: the published shapes, with enough positions for the longest length (RoBERTa
 * positions run to pad_token_id + length, so length + 2 rows), never fewer than the published 4,098.
 */
export function benchConfig(model: BenchModel, longest: number): LongformerConfig {
  const published = model === 'tiny' ? 130 : 4098;
  return syntheticConfig({ ...SHAPES[model], head: 'base', maxPositionEmbeddings: Math.max(published, longest + 2) });
}

export const USEFUL_WORK_FORMULA = 'layers × (24·n·d² + 4·n·(2w+1)·d)';

/**
 * The model's useful work in FLOPs for n tokens: per layer the dense projections and FFN (2·n·(4d² + 2·d·4d) =
 * 24·n·d² with the published FFN of 4d) and the band of 2w + 1 keys per query, scores and context (2 · 2·n·(2w+1)·d),
 * w the one-sided window. Not the 3w keys the blocked layout computes: that surplus is the engine's overhead.
 * The FFN term uses the config's intermediate size, which equals 4d for every published checkpoint.
 */
export function usefulFlops(config: LongformerConfig, n: number): number {
  const d = config.hiddenSize;
  let total = 0;
  for (let layer = 0; layer < config.numHiddenLayers; layer += 1) {
    const w = (config.attentionWindow[layer] ?? 0) / 2;
    total += 2 * n * (4 * d * d + 2 * d * config.intermediateSize) + 4 * n * (2 * w + 1) * d;
  }
  return total;
}

/** FLOPs of one layer's dense MatMuls (q, k, v, output, FFN in and out) for n tokens: the MatMul probe's work. */
export function denseLayerFlops(config: LongformerConfig, n: number): number {
  const d = config.hiddenSize;
  return 2 * n * (4 * d * d + 2 * d * config.intermediateSize);
}

/**
 * One row of n deterministic token ids in [3, vocab), `<s>` first and `</s>` last, with global attention on `<s>`
 * (classification style, one global token). `seed` starts the walk (int8 calibration walks from several).
 */
export function benchInputs(config: LongformerConfig, n: number, seed = 12345): ModelInputs {
  const inputIds = new BigInt64Array(n);
  let state = seed;
  for (let i = 0; i < n; i += 1) {
    // A linear congruential walk: enough to avoid a constant input.
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    inputIds[i] = BigInt(3 + (state % (config.vocabSize - 3)));
  }
  inputIds[0] = BigInt(config.bosTokenId);
  inputIds[n - 1] = BigInt(config.eosTokenId);
  const globalAttentionMask = new BigInt64Array(n);
  globalAttentionMask[0] = 1n;
  return { batchSize: 1, seqLen: n, inputIds, attentionMask: new BigInt64Array(n).fill(1n), globalAttentionMask };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Bytes of one (heads, n, n) float32 score tensor: what dense attention holds per layer, several times over. */
export function denseScoreBytes(config: LongformerConfig, n: number): number {
  return config.numAttentionHeads * n * n * 4;
}

/**
 * Whether the dense full-attention baseline is run at n: its score tensor, the softmax output and the product's
 * workspace (about three score tensors) must stay under `limitBytes`.
 */
export function denseFits(config: LongformerConfig, n: number, limitBytes: number): boolean {
  return 3 * denseScoreBytes(config, n) <= limitBytes;
}
