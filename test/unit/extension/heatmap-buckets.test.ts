import assert from 'node:assert/strict';
import { HEATMAP_LEVELS, heatLevels } from '../../../src/extension/heatmap-buckets';

describe('heatmap levels', () => {
  it('gives the strongest token the top level and leaves faint ones undecorated', () => {
    const levels = heatLevels(Float32Array.from([0.5, 0.01, 0.125, 0, 0.02]));
    assert.equal(levels[0], HEATMAP_LEVELS);
    assert.equal(levels[1], 0, '2 % of the peak is below the floor');
    assert.equal(levels[2], Math.ceil(Math.sqrt(0.25) * HEATMAP_LEVELS));
    assert.equal(levels[3], 0);
    assert.equal(levels[4], 0);
  });

  it('is monotone in the score and empty when nothing is attended', () => {
    const scores = Float32Array.from({ length: 50 }, (_, i) => i / 49);
    const levels = heatLevels(scores);
    for (let i = 1; i < levels.length; i += 1) assert.ok(levels[i]! >= levels[i - 1]!);
    assert.deepEqual([...heatLevels(new Float32Array(4))], [0, 0, 0, 0]);
  });
});
