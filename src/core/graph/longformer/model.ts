// The whole Longformer graph: inputs → masks and internal padding → embeddings → layers → head, with outputs cut
// back to the given length. `LongformerModel.forward`, modeling_longformer.py#L1580-L1680.
import type { LongformerConfig } from '../../checkpoint/config';
import type { StateDict } from '../../checkpoint/tensor';
import type { Precision } from '../../precision';
import { GraphBuilder, type Graph, type Value } from '../builder';
import { toHalfPrecision } from '../half-precision';
import { embeddings } from './embeddings';
import { buildHead, LOGIT_POSITIONS_INPUT } from './heads';
import { longformerLayer } from './layer';
import { sequenceInfo } from './sequence';
import { ATTENTION_QUERY_INPUT, TOKEN_SCORE_PARTS, tokenScoresOutputName } from './token-scores';
import { GraphWeights, INT8_SCHEME, type Int8Calibration, type Int8Scheme } from './weights';

/**
 * Which attention outputs the graph has: none; `attentions.<layer>` and `global_attentions.<layer>` in HuggingFace's
 * layouts (per head); or, for every layer and head, the small per-token sums of token-scores.ts
 * (`token_scores.<part>.<layer>`, with the extra input `attention_query`), which the attention overlay reads. Both
 * cost extra work.
 */
export type AttentionOutputs = 'none' | 'per-head' | 'token-scores';

const VARIANT_SUFFIX: Record<AttentionOutputs, string> = {
  none: '',
  'per-head': '-attentions',
  'token-scores': '-token-scores',
};

export interface LongformerGraphOptions {
  readonly attentions: AttentionOutputs;
  /**
   * fp16: the float32 graph rewritten by graph/half-precision.ts (MatMuls and their weights in float16, inputs and
   * outputs unchanged); int8: the encoder's dense layers quantized (weights.ts). The option is part of the cache key.
   */
  readonly precision?: Precision;
  /**
   * Masked-LM heads: `all` (default, HuggingFace's (B, S, V) logits) or `at-positions`, where the graph takes the
   * extra input `logit_positions` (K) and gives the logits at those positions only, (B, K, V). Other heads ignore it.
   */
  readonly logits?: 'all' | 'at-positions';
  /** How int8 quantizes (INT8_SCHEME unless a benchmark compares schemes). */
  readonly int8?: Int8Scheme;
  /** int8: the Gram blocks that int8 rounds with (runtime/int8-calibration.ts); absent: nearest rounding. */
  readonly int8Calibration?: Int8Calibration;
  /**
   * An fp32 graph that also outputs, for each layer int8 would quantize, the Gram blocks of its inputs
   * (`calibration_gram.<layer>`): what runtime/int8-calibration.ts runs.
   */
  readonly gramOutputs?: boolean;
}

export const INPUT_NAMES = ['input_ids', 'attention_mask', 'global_attention_mask'] as const;

export function attentionsOutputName(layer: number): string {
  return `attentions.${layer}`;
}
export function globalAttentionsOutputName(layer: number): string {
  return `global_attentions.${layer}`;
}

export function buildLongformerGraph(config: LongformerConfig, dict: StateDict, options: LongformerGraphOptions): Graph {
  const b = new GraphBuilder(`longformer-${config.head}${VARIANT_SUFFIX[options.attentions]}`);
  const weights = new GraphWeights(b, dict, options.precision ?? 'fp32', {
    scheme: options.int8 ?? INT8_SCHEME,
    ...(options.int8Calibration === undefined ? {} : { calibration: options.int8Calibration }),
    ...(options.gramOutputs === true ? { gramOutputs: true } : {}),
  });
  const H = config.numAttentionHeads;
  const inputIds = b.input('input_ids', 'int64', ['batch', 'sequence']);
  const attentionMask = b.input('attention_mask', 'int64', ['batch', 'sequence']);
  const globalAttentionMask = b.input('global_attention_mask', 'int64', ['batch', 'sequence']);
  const logitPositions =
    options.logits === 'at-positions' && config.head === 'masked-lm'
      ? b.input(LOGIT_POSITIONS_INPUT, 'int64', ['logit_positions'])
      : undefined;
  const scoresQuery = options.attentions === 'token-scores' ? b.input(ATTENTION_QUERY_INPUT, 'int64', [1]) : undefined;
  const probs = options.attentions === 'per-head';

  const seq = sequenceInfo(b, { inputIds, attentionMask, globalAttentionMask }, config.padTokenId, Math.max(...config.attentionWindow));
  let hidden: Value = embeddings(b, weights, config, seq.inputIds); // (B, P, E)
  for (let layer = 0; layer < config.numHiddenLayers; layer += 1) {
    const result = longformerLayer(b, weights, config, layer, hidden, seq, probs, scoresQuery);
    hidden = result.hidden;
    if (result.tokenScores !== undefined) {
      const scores = result.tokenScores;
      const outputs = TOKEN_SCORE_PARTS.map((part) => {
        const perPosition = part !== 'localToGlobals' && part !== 'queryLocal';
        const value = perPosition ? b.slice(scores[part], b.constInt64([0]), seq.length, [2]) : scores[part]; // (B, H, S) or as is
        const last = perPosition ? 'sequence' : part === 'localToGlobals' ? 'global_slots' : `attention_columns_${layer}`;
        b.output(value, tokenScoresOutputName(part, layer), 'float32', ['batch', H, last]);
        return value;
      });
      // As for the per-head maps below: the next layer reads its batch dim from this layer's outputs, so they are made,
      // and the layer's softmax output freed, before the next layer runs.
      const batch = outputs.reduce((dim, value) => b.max(dim, b.dim(value, 0)), b.dim(hidden, 0));
      hidden = b.reshapeExact(hidden, [batch, b.dim(hidden, 1), b.dim(hidden, 2)]); // (B, P, E)
    }
    if (result.attentions !== undefined) {
      const cut = b.slice(result.attentions, b.constInt64([0]), seq.length, [2]); // (B, H, S, x + 2w + 1)
      b.output(cut, attentionsOutputName(layer), 'float32', ['batch', H, 'sequence', `attention_columns_${layer}`]);
      // onnxruntime orders the nodes that only feed this output after the last layer, which kept every layer's
      // (B, d, H, nb, w, x + 3w) softmax output alive to the end of the run (12 × 151 MB for the base model at 4,096
      // tokens). Reading the next layer's batch dim from the map makes the map an input of the next layer, so it is
      // made, and the softmax output freed, first: a reshape to the same shape, values untouched.
      hidden = b.reshapeExact(hidden, [b.dim(cut, 0), b.dim(hidden, 1), b.dim(hidden, 2)]); // (B, P, E)
    }
    if (result.globalAttentions !== undefined) {
      // Kept at the padded length, as HuggingFace returns them. The last axis has the global slots (sequence.ts): the
      // batch's most global tokens, or 1 filler slot when it has none, which the engine drops.
      b.output(result.globalAttentions, globalAttentionsOutputName(layer), 'float32', ['batch', H, 'padded_sequence', 'global_slots']);
    }
  }
  const sequence = b.slice(hidden, b.constInt64([0]), seq.length, [1]); // (B, S, E)
  for (const output of buildHead(b, weights, config, sequence, logitPositions)) {
    b.output(output.value, output.name, 'float32', output.dims);
  }
  const graph = b.build();
  return options.precision === 'fp16' ? toHalfPrecision(graph) : graph;
}
