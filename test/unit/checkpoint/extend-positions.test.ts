// --extend-positions: the position table is the learned rows copied in order to N tokens, the checkpoint's own
// arrays untouched; N is checked against the model.
import { strict as assert } from 'node:assert';
import { checkExtendPositions, extendPositionTable, withExtendedPositions } from '../../../src/core/checkpoint/extend-positions';
import { syntheticConfig, syntheticWeights } from '../../../src/core/checkpoint/synthetic';
import { lensError } from '../../support/lens-error';

describe('extend positions', () => {
  // 10 positions, pad_token_id 1: rows 0 and 1 are never used by real tokens, rows 2..9 are the 8 learned ones.
  const config = syntheticConfig({
    numHiddenLayers: 1,
    hiddenSize: 4,
    numAttentionHeads: 2,
    intermediateSize: 8,
    attentionWindow: 2,
    vocabSize: 20,
    maxPositionEmbeddings: 10,
  });
  const weights = syntheticWeights(config, 7);
  const table = weights.get('embeddings.position_embeddings.weight')!.data as Float32Array;
  const row = (data: Float32Array, index: number): number[] => [...data.subarray(index * 4, index * 4 + 4)];

  it('copies the learned rows in order to N + pad_token_id + 1 rows, leaving the rest of the checkpoint as it is', () => {
    const extended = extendPositionTable(config, weights, 20);
    const positions = extended.get('embeddings.position_embeddings.weight')!;
    assert.deepEqual(positions.shape, [22, 4]);
    const data = positions.data as Float32Array;
    assert.deepEqual(row(data, 0), row(table, 0));
    assert.deepEqual(row(data, 1), row(table, 1));
    for (let r = 2; r < 22; r += 1) assert.deepEqual(row(data, r), row(table, 2 + ((r - 2) % 8)), `row ${r}`);
    // Every other tensor is the checkpoint's own array; the checkpoint's table is unchanged.
    for (const [name, tensor] of weights) if (name !== 'embeddings.position_embeddings.weight') assert.equal(extended.get(name), tensor);
    assert.deepEqual(weights.get('embeddings.position_embeddings.weight')!.shape, [10, 4]);
    assert.equal(withExtendedPositions(config, 20).maxPositionEmbeddings, 22);
    assert.equal(withExtendedPositions(config, undefined), config);
  });

  it('takes N above what the model takes and at most 16,384', () => {
    assert.throws(
      () => checkExtendPositions(config, 8),
      lensError('BAD_ARGUMENT', /--extend-positions 8: expected a number of tokens above the model's 8 and at most 16384/),
    );
    assert.throws(() => checkExtendPositions(config, 16385), lensError('BAD_ARGUMENT', /at most 16384/));
    assert.doesNotThrow(() => checkExtendPositions(config, 9));
  });
});
