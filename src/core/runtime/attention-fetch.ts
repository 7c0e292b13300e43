// Checks a run's AttentionFetch against the model and turns it into what the graph takes: the layer list to fetch
// and, when heads are combined, the per-head weights of the head-weighted variant's `attention_head_weights` input.
import type { LongformerConfig } from '../checkpoint/config';
import { LensError } from '../errors';
import type { AttentionFetch } from './engine';

export interface ResolvedAttentionFetch {
  readonly layers: readonly number[];
  /** One weight per head, or undefined for HuggingFace's per-head outputs. */
  readonly headWeights?: Float32Array;
}

export function resolveAttentionFetch(config: LongformerConfig, fetch: AttentionFetch = {}): ResolvedAttentionFetch {
  const layerCount = config.numHiddenLayers;
  const heads = config.numAttentionHeads;
  const layers = fetch.layers ?? Array.from({ length: layerCount }, (_, layer) => layer);
  if (layers.length === 0) throw new LensError('BAD_ARGUMENT', 'attention layers: the list is empty; leave it out to get every layer.');
  layers.forEach((layer, index) => {
    if (!Number.isInteger(layer) || layer < 0 || layer >= layerCount) {
      throw new LensError('BAD_ARGUMENT', `attention layer ${layer} does not exist; the model has layers 0 to ${layerCount - 1}.`);
    }
    // Ascending and distinct, so that attentions[i] is the i-th requested layer without ambiguity.
    if (index > 0 && layer <= layers[index - 1]!) {
      throw new LensError('BAD_ARGUMENT', `attention layers must be distinct and ascending; got ${layers.join(', ')}.`);
    }
  });
  const head = fetch.head;
  if (head === undefined) return { layers };
  if (head === 'mean') return { layers, headWeights: new Float32Array(heads).fill(1 / heads) };
  if (!Number.isInteger(head) || head < 0 || head >= heads) {
    throw new LensError('BAD_ARGUMENT', `attention head ${head} does not exist; the model has heads 0 to ${heads - 1}.`);
  }
  const oneHot = new Float32Array(heads);
  oneHot[head] = 1;
  return { layers, headWeights: oneHot };
}
