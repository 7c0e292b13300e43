// Checks a run's AttentionFetch against the model and turns it into the list of layers whose outputs are fetched.
import type { LongformerConfig } from '../checkpoint/config';
import { LensError } from '../errors';
import type { AttentionFetch } from './engine';

export interface ResolvedAttentionFetch {
  readonly layers: readonly number[];
}

export function resolveAttentionFetch(config: LongformerConfig, fetch: AttentionFetch = {}): ResolvedAttentionFetch {
  const layerCount = config.numHiddenLayers;
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
  return { layers };
}
