import assert from 'node:assert/strict';
import {
  HEAT_LEVELS,
  computeHeat,
  describeScore,
  describeSelection,
  describeTop,
  heatLegendLines,
  percentOfMax,
} from '../../../src/extension/overlay/heat-scale';

/** A heavy-tailed map like real attention: a few peaks over a long floor of small values. */
function heavyTailed(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (i % 97 === 0 ? 0.5 : 0.001 + (i % 13) * 1e-4));
}

describe('attention heat scale', () => {
  it('shades only the top fraction of tokens, the peaks at the top level', () => {
    const scores = heavyTailed(1000);
    const heat = computeHeat(scores, { scale: 'linear', top: 0.1 });
    assert.equal(heat.shaded, [...heat.levels].filter((level) => level > 0).length);
    // Ties at the threshold are all shaded, so at least 10 % and not much more.
    assert.ok(heat.shaded >= 100 && heat.shaded < 200, `shaded ${heat.shaded}`);
    for (let i = 0; i < scores.length; i += 1) {
      if (i % 97 === 0) assert.equal(heat.levels[i], HEAT_LEVELS, `peak ${i}`);
      if (scores[i]! < heat.threshold) assert.equal(heat.levels[i], 0);
    }
  });

  it('shades every positive token with top = 1, and nothing when all scores are zero', () => {
    const scores = Float32Array.from([0.2, 0, 0.1, 0.4]);
    const all = computeHeat(scores, { scale: 'linear', top: 1 });
    assert.deepEqual(
      [...all.levels].map((level) => level > 0),
      [true, false, true, true],
    );
    assert.equal(all.threshold, 0.10000000149011612);
    const none = computeHeat(new Float32Array(5), { scale: 'log', top: 0.1 });
    assert.equal(none.shaded, 0);
    assert.deepEqual([...none.levels], [0, 0, 0, 0, 0]);
  });

  it('is monotone in the score on both scales, and the log scale lifts the small values', () => {
    const scores = Float32Array.from({ length: 200 }, (_, i) => Math.pow(10, -4 + (3 * i) / 199));
    const linear = computeHeat(scores, { scale: 'linear', top: 1 });
    const log = computeHeat(scores, { scale: 'log', top: 1 });
    for (let i = 1; i < scores.length; i += 1) {
      assert.ok(linear.levels[i]! >= linear.levels[i - 1]!);
      assert.ok(log.levels[i]! >= log.levels[i - 1]!);
    }
    // The middle of a 1e-4..1e-1 range is 3e-3: level 1 on a linear scale, about half way on a log scale.
    assert.equal(linear.levels[100], 1);
    assert.ok(log.levels[100]! >= 4 && log.levels[100]! <= 5, `log level ${log.levels[100]}`);
    assert.ok(Math.abs(log.stops[HEAT_LEVELS / 2]! - Math.sqrt(log.threshold * log.max)) < 1e-9);
  });

  it('ranks tokens by score, ties sharing the better rank', () => {
    const heat = computeHeat(Float32Array.from([0.1, 0.3, 0.1, 0.5]), { scale: 'linear', top: 1 });
    assert.deepEqual([...heat.ranks], [3, 2, 3, 1]);
  });

  it('words a score as percent of the maximum and rank', () => {
    const scores = Float32Array.from([0.02, 0.5, 0.0004]);
    const heat = computeHeat(scores, { scale: 'linear', top: 1 });
    assert.equal(describeScore(heat, scores, 0), '4.0 % of max · rank 2 of 3 · 0.0200');
    assert.equal(describeScore(heat, scores, 2), '0.08 % of max · rank 3 of 3 · 4.00e-4');
    assert.equal(percentOfMax(0.5, 0.5), '100 % of max');
  });

  it("words the legend for a view without swatches: the rule, then each level's range, hottest first", () => {
    const scores = Float32Array.from([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
    const heat = computeHeat(scores, { scale: 'linear', top: 0.5 });
    const lines = heatLegendLines(heat, { scale: 'linear', top: 0.5 }, scores.length);
    // 8 tokens with attention, the top half shaded: 0.5 to 0.8.
    assert.equal(lines[0], '4 of 9 tokens shaded (top 50 % of those with attention, linear scale), 0.500 to 0.800');
    assert.equal(lines.length, 1 + HEAT_LEVELS);
    assert.equal(lines[1], 'level 8: 95 % of max to 100 % of max (0.763 to 0.800)');
    assert.equal(lines[HEAT_LEVELS], 'level 1: 62 % of max to 67 % of max (0.500 to 0.538)');
    const none = computeHeat(new Float32Array(3), { scale: 'log', top: 0.1 });
    assert.deepEqual(heatLegendLines(none, { scale: 'log', top: 0.1 }, 3), [
      '0 of 3 tokens shaded (top 10 % of those with attention, log scale), 0 to 0',
    ]);
  });

  it('names the cut-offs and the selection as the controls do', () => {
    assert.deepEqual([0.01, 0.05, 0.1, 0.25, 1].map(describeTop), ['top 1 %', 'top 5 %', 'top 10 %', 'top 25 %', 'every token']);
    assert.equal(
      describeSelection({ mode: 'global', layer: 'mean', head: 'mean' }),
      'From the global tokens · mean of layers · mean of heads',
    );
    assert.equal(describeSelection({ mode: 'token', layer: 2, head: 0 }), 'From the source token · layer 2 · head 0');
  });
});
