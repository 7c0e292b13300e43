// Two rules that follow from the checkpoint and that every path (the `run` request, the document tasks) must apply
// the same way, so they are written once, here, next to HuggingFace's own rule.
import { LensError } from '../errors';
import type { LongformerConfig } from './config';

/**
 * The longest input. RoBERTa position ids are `padding_idx + cumsum(non-pad)` (create_position_ids_from_input_ids,
 * modeling_longformer.py), so the last of n tokens gets position pad_token_id + n, which must index the position
 * table: n <= max_position_embeddings - pad_token_id - 1 (4,096 for the published checkpoints: 4,098 and pad 1).
 */
export function maxInputLength(config: LongformerConfig): number {
  return config.maxPositionEmbeddings - config.padTokenId - 1;
}

/**
 * HuggingFace's global attention when the caller gives none, for one row of token ids (1 = global):
 * - sequence classification: `<s>` (position 0), LongformerForSequenceClassification.forward;
 * - question answering: every token before the first `</s>`, i.e. `<s>` and the question
 *   (`_compute_global_attention_mask`, LongformerForQuestionAnswering.forward);
 * - the bare model and the other heads: none.
 * `row` names the row in the error a QA row without `</s>` gets.
 */
export function huggingFaceGlobalAttention(config: LongformerConfig, ids: ArrayLike<number>, row = 0): Uint8Array {
  const mask = new Uint8Array(ids.length);
  switch (config.head) {
    case 'sequence-classification':
      if (mask.length > 0) mask[0] = 1;
      return mask;
    case 'question-answering': {
      const questionEnd = Array.from(ids).indexOf(config.sepTokenId);
      if (questionEnd < 0) {
        throw new LensError(
          'BAD_ARGUMENT',
          `input_ids row ${row} has no </s> (${config.sepTokenId}) after the question, so the default global attention cannot be placed.`,
          'Pass "global_attention_mask" or format rows as <s> question </s></s> context </s>.',
        );
      }
      mask.fill(1, 0, questionEnd);
      return mask;
    }
    default:
      return mask;
  }
}

/**
 * The document tasks' default: HuggingFace's, and `<s>` for the heads where HuggingFace has none (the bare model,
 * token classification, masked LM). The tasks read attention from the global tokens (the heatmap's default view)
 * and pool chunks through `<s>`; with no global token at all there would be nothing to show. For classification
 * and question answering this is exactly HuggingFace's default.
 */
export function documentGlobalAttention(config: LongformerConfig, ids: ArrayLike<number>): Uint8Array {
  const mask = huggingFaceGlobalAttention(config, ids);
  if (mask.length > 0) mask[0] = 1;
  return mask;
}
