// The task heads on top of the encoder's sequence output, chosen by config.json's architecture (config.head).
// Shapes follow HuggingFace's outputs; every head also offers last_hidden_state.
import type { HeadKind, LongformerConfig } from '../../checkpoint/config';
import type { OutputName } from '../../runtime/engine';
import type { GraphBuilder, Value } from '../builder';
import { geluExact } from './activations';
import { applyLinear, type GraphWeights } from './weights';

export interface HeadOutput {
  readonly name: OutputName;
  readonly value: Value;
  readonly dims: readonly (number | string)[];
}

/** The plain (non-attention) outputs a checkpoint's graph has. */
export function headOutputNames(head: HeadKind, hasPooler: boolean): OutputName[] {
  switch (head) {
    case 'base':
      return hasPooler ? ['last_hidden_state', 'pooler_output'] : ['last_hidden_state'];
    case 'sequence-classification':
    case 'token-classification':
    case 'masked-lm':
      return ['last_hidden_state', 'logits'];
    case 'question-answering':
      return ['last_hidden_state', 'start_logits', 'end_logits'];
  }
}

/** The int64 input (positions) of a masked-LM graph built with `logits: 'at-positions'`. */
export const LOGIT_POSITIONS_INPUT = 'logit_positions';

/**
 * `sequence` is the encoder output cut back to the given length: (B, S, E). With `logitPositions` (K), a masked-LM
 * head computes its logits at those positions only, (B, K, V): the full (B, S, V) logits are 820 MB at 4,096 tokens
 * for the base model, and onnxruntime computes every output whether or not a run fetches it
 * (microsoft/onnxruntime#16483), so the only way not to pay for them is a graph that does not compute them.
 */
export function buildHead(
  b: GraphBuilder,
  weights: GraphWeights,
  config: LongformerConfig,
  sequence: Value,
  logitPositions?: Value,
): HeadOutput[] {
  return b.scoped('head', () => {
    const E = config.hiddenSize;
    const outputs: HeadOutput[] = [{ name: 'last_hidden_state', value: sequence, dims: ['batch', 'sequence', E] }];
    const firstToken = (): Value => b.gather(sequence, b.scalarInt64(0), 1); // (B, E)
    switch (config.head) {
      case 'base':
        // LongformerPooler: tanh(dense(h[:, 0])) (modeling_longformer.py#L1320-L1335).
        if (weights.has('pooler.dense.weight')) {
          const pooled = b.tanh(applyLinear(b, firstToken(), weights.linear('pooler.dense', E, E)));
          outputs.push({ name: 'pooler_output', value: pooled, dims: ['batch', E] });
        }
        break;
      case 'sequence-classification': {
        // LongformerClassificationHead: dense → tanh → out_proj on <s> (modeling_longformer.py#L1870-L1890).
        const labels = weights.shapeOf('classifier.out_proj.weight')[0] ?? 0;
        const dense = b.tanh(applyLinear(b, firstToken(), weights.linear('classifier.dense', E, E)));
        outputs.push({
          name: 'logits',
          value: applyLinear(b, dense, weights.linear('classifier.out_proj', E, labels)),
          dims: ['batch', labels],
        });
        break;
      }
      case 'token-classification': {
        const labels = weights.shapeOf('classifier.weight')[0] ?? 0;
        outputs.push({
          name: 'logits',
          value: applyLinear(b, sequence, weights.linear('classifier', E, labels)),
          dims: ['batch', 'sequence', labels],
        });
        break;
      }
      case 'question-answering': {
        // qa_outputs gives 2 values per token, split into start and end logits (modeling_longformer.py#L2050-L2060).
        const both = applyLinear(b, sequence, weights.linear('qa_outputs', E, 2)); // (B, S, 2)
        const [start, end] = b.split(both, [1, 1], 2);
        if (start === undefined || end === undefined) throw new Error('unreachable: split into two');
        outputs.push({ name: 'start_logits', value: b.squeeze(start, [2]), dims: ['batch', 'sequence'] }); // (B, S)
        outputs.push({ name: 'end_logits', value: b.squeeze(end, [2]), dims: ['batch', 'sequence'] }); // (B, S)
        break;
      }
      case 'masked-lm': {
        // LongformerLMHead: dense → gelu → layer_norm → decoder (modeling_longformer.py#L1340-L1370). Every step works
        // on each position alone, so gathering the positions first gives the same rows.
        const rows = logitPositions === undefined ? sequence : b.gather(sequence, logitPositions, 1); // (B, S or K, E)
        const dense = geluExact(b, applyLinear(b, rows, weights.linear('lm_head.dense', E, E)));
        const normed = b.layerNorm(
          dense,
          weights.constant('lm_head.layer_norm.weight', [E]),
          weights.constant('lm_head.layer_norm.bias', [E]),
          config.layerNormEps,
        );
        const logits = applyLinear(b, normed, weights.linear('lm_head.decoder', E, config.vocabSize));
        const positions = logitPositions === undefined ? 'sequence' : 'logit_positions';
        outputs.push({ name: 'logits', value: logits, dims: ['batch', positions, config.vocabSize] }); // (B, S or K, V)
        break;
      }
    }
    return outputs;
  });
}
