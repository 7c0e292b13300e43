// LongformerEmbeddings: word + position + token type embeddings, then LayerNorm.
// https://github.com/huggingface/transformers/blob/v4.22.0/src/transformers/models/longformer/modeling_longformer.py#L439-L500
import type { LongformerConfig } from '../../checkpoint/config';
import type { GraphBuilder, Value } from '../builder';
import type { GraphWeights } from './weights';

/**
 * RoBERTa position ids come from input_ids, not from the attention mask (`create_position_ids_from_input_ids`,
 * modeling_longformer.py#L400-L415): non-pad tokens get padding_idx + their 1-based count of non-pad tokens so far,
 * pads get padding_idx.
 */
export function positionIds(b: GraphBuilder, inputIds: Value, padTokenId: number): Value {
  const notPad = b.cast(b.not(b.equal(inputIds, b.scalarInt64(padTokenId))), 'int64'); // (batch, padded)
  const counted = b.mul(b.cumSum(notPad, b.scalarInt64(1)), notPad);
  return b.add(counted, b.scalarInt64(padTokenId));
}

/** (batch, padded) int64 token ids → (batch, padded, hidden). Token type ids are all 0, as the CLI never passes any. */
export function embeddings(b: GraphBuilder, weights: GraphWeights, config: LongformerConfig, inputIds: Value): Value {
  return b.scoped('embeddings', () => {
    const hidden = config.hiddenSize;
    const words = b.gather(weights.constant('embeddings.word_embeddings.weight', [config.vocabSize, hidden]), inputIds);
    const positionTable = weights.constant('embeddings.position_embeddings.weight', [config.maxPositionEmbeddings, hidden]);
    const positions = b.gather(positionTable, positionIds(b, inputIds, config.padTokenId));
    // Token type 0 for every token: one row of the table, broadcast over (batch, padded).
    const tokenTypeRow = weights.derived(
      'embeddings.token_type_embeddings.row0',
      [hidden],
      weights.tensor('embeddings.token_type_embeddings.weight', [config.typeVocabSize, hidden]).data.slice(0, hidden),
    );
    const sum = b.add(b.add(words, positions), tokenTypeRow);
    return b.layerNorm(
      sum,
      weights.constant('embeddings.LayerNorm.weight', [hidden]),
      weights.constant('embeddings.LayerNorm.bias', [hidden]),
      config.layerNormEps,
    );
  });
}
