// What the int8 bench scripts share: their inputs (token ids from a fixed walk over the vocabulary, and the three
// input tensors of the Longformer graph) and their measure of classification error.
import { Tensor } from 'onnxruntime-node';
import type { LongformerConfig } from '../src/core/checkpoint/config';

/** n token ids from a linear congruential walk in [3, vocab), `<s>` first and `</s>` last. */
export function tokenIds(config: LongformerConfig, n: number, seed: number): BigInt64Array {
  const ids = new BigInt64Array(n);
  let state = seed;
  for (let i = 0; i < n; i += 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    ids[i] = BigInt(3 + (state % (config.vocabSize - 3)));
  }
  ids[0] = 0n;
  ids[n - 1] = 2n;
  return ids;
}

/** The graph's inputs for one sequence: every token attended, `global` marking the global ones. */
export function feeds(ids: BigInt64Array, global: BigInt64Array): Record<string, Tensor> {
  const dims = [1, ids.length];
  return {
    input_ids: new Tensor('int64', ids, dims),
    attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
    global_attention_mask: new Tensor('int64', global, dims),
  };
}

/** The worst |output - reference| over a row of logits, as a fraction of the reference row's range. */
export function worstRelativeToRange(reference: Float32Array, output: Float32Array): number {
  const range = Math.max(...reference) - Math.min(...reference);
  let worst = 0;
  for (let i = 0; i < reference.length; i += 1) worst = Math.max(worst, Math.abs((output[i] ?? 0) - (reference[i] ?? 0)) / range);
  return worst;
}
