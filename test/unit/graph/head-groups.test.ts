// How many groups the heads run in: as few as keep heads × longest padded input within GROUP_HEAD_POSITIONS (3
// heads at 16,384 tokens), in groups of equal size. The graphs' results with and without groups are compared with
// the reference in test/integration/engine-random.test.ts.
import { strict as assert } from 'node:assert';
import { GROUP_HEAD_POSITIONS, headGroups } from '../../../src/core/graph/longformer/self-attention';

describe('headGroups', () => {
  it('runs the heads of a 4,096-token model in one group', () => {
    assert.equal(headGroups(12, 4096), 1);
  });

  it('keeps base at 16,384 tokens to 3 heads per group', () => {
    assert.equal(GROUP_HEAD_POSITIONS, 3 * 16_384);
    assert.equal(headGroups(12, 16_384), 4);
    assert.equal(headGroups(12, 8192), 2); // 6 heads × 8,192 = 3 × 16,384
  });

  it('picks equal groups that divide the heads', () => {
    assert.equal(headGroups(16, 4096), 2); // 16 heads × 4,096 is over; 8 × 4,096 is not
    assert.equal(headGroups(16, 16_384), 8); // 3 does not divide 16: groups of 2
    assert.equal(headGroups(7, 16_384), 7); // a prime number of heads: one at a time
  });

  it('runs one head at a time when even one head is over the budget', () => {
    assert.equal(headGroups(4, 100_000), 4);
    assert.equal(headGroups(1, 100_000), 1);
  });
});
