// The bench's arithmetic: the useful-work formula against the issue's hand-computed figure, the synthetic models'
// shapes and positions, the dense baseline's size rule, and how rows are derived from the measurements.
import { strict as assert } from 'node:assert';
import { benchRows } from '../../../src/core/bench/report';
import type { EngineResult } from '../../../src/core/bench/measure';
import { benchConfig, benchInputs, denseFits, median, usefulFlops } from '../../../src/core/bench/work';
import { maxInputLength } from '../../../src/core/runtime/model-inputs';

function engineResult(length: number, medianMs: number): EngineResult {
  return {
    kind: 'engine',
    length,
    openMs: 100,
    firstRunMs: medianMs * 2,
    runMs: [medianMs],
    medianMs,
    peakRssMb: 500,
    provider: 'cpu',
    precision: 'fp32',
  };
}

describe('bench arithmetic', () => {
  it('counts useful work as layers × (24·n·d² + 4·n·(2w+1)·d): 773 GFLOP for base at 4,096 tokens', () => {
    const base = benchConfig('base', 4096);
    const expected = 12 * (24 * 4096 * 768 ** 2 + 4 * 4096 * 513 * 768);
    assert.equal(usefulFlops(base, 4096), expected);
    assert.equal(Math.round(expected / 1e9), 773);
    // Large: 24 layers, hidden 1024, FFN 4096.
    assert.equal(usefulFlops(benchConfig('large', 1024), 1024), 24 * (24 * 1024 * 1024 ** 2 + 4 * 1024 * 513 * 1024));
  });

  it('gives the synthetic models the published shapes and enough positions for the longest length', () => {
    const base = benchConfig('base', 1024);
    assert.deepEqual(
      [base.numHiddenLayers, base.hiddenSize, base.numAttentionHeads, base.intermediateSize, base.attentionWindow[0], base.vocabSize],
      [12, 768, 12, 3072, 512, 50265],
    );
    assert.equal(maxInputLength(base), 4096);
    assert.equal(maxInputLength(benchConfig('base', 16384)), 16384);
    const large = benchConfig('large', 4096);
    assert.deepEqual([large.numHiddenLayers, large.hiddenSize, large.numAttentionHeads, large.intermediateSize], [24, 1024, 16, 4096]);
  });

  it('feeds one row with <s> global and ids inside the vocabulary', () => {
    const config = benchConfig('tiny', 64);
    const inputs = benchInputs(config, 64);
    assert.equal(inputs.inputIds[0], BigInt(config.bosTokenId));
    assert.equal(inputs.inputIds[63], BigInt(config.eosTokenId));
    assert.ok([...inputs.inputIds].every((id) => id >= 0n && id < BigInt(config.vocabSize)));
    assert.deepEqual([...inputs.globalAttentionMask].filter((flag) => flag === 1n).length, 1);
  });

  it('runs the dense baseline only where three score tensors fit the limit', () => {
    const base = benchConfig('base', 16384);
    const gib = 1024 ** 3;
    assert.equal(denseFits(base, 4096, 4 * gib), true); // 3 × 12 × 4096² × 4 B = 2.4 GB
    assert.equal(denseFits(base, 8192, 4 * gib), false); // 9.7 GB
    assert.equal(denseFits(base, 1024, 0), false);
  });

  it('takes the median of odd and even counts', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it('derives throughput, the MatMul fraction and t(n)/t(n/2) from the medians', () => {
    const config = benchConfig('base', 4096);
    const rows = benchRows(
      config,
      [engineResult(1024, 500), engineResult(2048, 1100), engineResult(4096, 2420)],
      new Map([[1024, 900]]),
      new Map([
        [1024, 310],
        [2048, 305],
        [4096, 300],
      ]),
    );
    const last = rows[2];
    assert.ok(last !== undefined);
    assert.equal(last.tokens_per_s, 4096 / 2.42);
    assert.equal(last.gflops, usefulFlops(config, 4096) / 1e9 / 2.42);
    // Each length against the MatMul speed measured around it.
    assert.equal(last.matmul_gflops, 300);
    assert.equal(last.fraction_of_matmul, last.gflops / 300);
    assert.equal(rows[0]?.fraction_of_matmul, (rows[0]?.gflops ?? 0) / 310);
    assert.equal(last.doubling_ratio, 2420 / 1100);
    assert.equal(last.dense_median_ms, null);
    assert.equal(rows[0]?.doubling_ratio, null);
    assert.equal(rows[0]?.dense_median_ms, 900);
  });
});
