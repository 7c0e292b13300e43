// How many groups the heads run in: as few as keep heads × longest padded input within GROUP_HEAD_POSITIONS (6 heads
// at 4,096 tokens), in groups of equal size, but groups of at least MIN_GROUP_HEADS heads. The graphs' results with
// and without groups are compared with the reference in test/integration/engine-random.test.ts.
import { strict as assert } from 'node:assert';
import { GROUP_HEAD_POSITIONS, headGroups, MIN_GROUP_HEADS } from '../../../src/core/graph/longformer/self-attention';

describe('headGroups', () => {
  it('runs the 12 heads of a 4,096-token base model in two groups', () => {
    assert.equal(GROUP_HEAD_POSITIONS, 6 * 4096);
    assert.equal(headGroups(12, 4096), 2);
  });

  it('runs every head of a short model in one group', () => {
    assert.equal(headGroups(12, 1024), 1);
    assert.equal(headGroups(12, 2048), 1);
  });

  it('keeps base at 8,192 and 16,384 tokens to groups of 3 heads, the fewest a group holds', () => {
    assert.equal(MIN_GROUP_HEADS, 3);
    assert.equal(headGroups(12, 8192), 4);
    assert.equal(headGroups(12, 16_384), 4);
  });

  it('picks equal groups that divide the heads', () => {
    assert.equal(headGroups(16, 4096), 4); // large: 4 heads × 4,096 fits, 8 × 4,096 does not
    assert.equal(headGroups(16, 16_384), 8); // 3 does not divide 16: groups of 2
    assert.equal(headGroups(7, 16_384), 7); // a prime number of heads above the smallest group: one at a time
    assert.equal(headGroups(3, 100_000), 1); // no smaller group than 3 heads
    assert.equal(headGroups(4, 100_000), 2);
  });
});
