// LongformerLayer: self-attention, output projection with residual + LayerNorm, then the feed-forward block with
// residual + LayerNorm (modeling_longformer.py#L1100-L1190: LongformerSelfOutput, LongformerIntermediate,
// LongformerOutput).
import type { LongformerConfig } from '../../checkpoint/config';
import type { GraphBuilder, Value } from '../builder';
import { activation } from './activations';
import type { SequenceInfo } from './sequence';
import { selfAttention } from './self-attention';
import type { LayerTokenScores } from './token-scores';
import { applyLinear, type GraphWeights } from './weights';

export interface LayerResult {
  /** (B, P, E) */
  readonly hidden: Value;
  readonly attentions?: Value;
  readonly globalAttentions?: Value;
  readonly tokenScores?: LayerTokenScores;
}

export function longformerLayer(
  b: GraphBuilder,
  weights: GraphWeights,
  config: LongformerConfig,
  layer: number,
  hidden: Value,
  seq: SequenceInfo,
  probs: boolean,
  scoresQuery?: Value,
): LayerResult {
  return b.scoped(`layer.${layer}`, () => {
    const prefix = `encoder.layer.${layer}`;
    const E = config.hiddenSize;
    const I = config.intermediateSize;
    const eps = config.layerNormEps;
    const attention = selfAttention(b, weights, config, layer, hidden, seq, probs, scoresQuery);

    const projected = applyLinear(
      b,
      attention.output,
      weights.denseLinear('attention-output', layer, [{ prefix: `${prefix}.attention.output.dense` }], E, E),
    );
    const attended = b.layerNorm(
      b.add(projected, hidden),
      weights.constant(`${prefix}.attention.output.LayerNorm.weight`, [E]),
      weights.constant(`${prefix}.attention.output.LayerNorm.bias`, [E]),
      eps,
    ); // (B, P, E)

    const intermediate = activation(
      b,
      applyLinear(b, attended, weights.denseLinear('ffn-in', layer, [{ prefix: `${prefix}.intermediate.dense` }], E, I)),
      config.hiddenAct,
    ); // (B, P, I)
    const out = applyLinear(b, intermediate, weights.denseLinear('ffn-out', layer, [{ prefix: `${prefix}.output.dense` }], I, E));
    const next = b.layerNorm(
      b.add(out, attended),
      weights.constant(`${prefix}.output.LayerNorm.weight`, [E]),
      weights.constant(`${prefix}.output.LayerNorm.bias`, [E]),
      eps,
    ); // (B, P, E)
    return {
      hidden: next,
      ...(attention.attentions === undefined ? {} : { attentions: attention.attentions }),
      ...(attention.globalAttentions === undefined ? {} : { globalAttentions: attention.globalAttentions }),
      ...(attention.tokenScores === undefined ? {} : { tokenScores: attention.tokenScores }),
    };
  });
}
