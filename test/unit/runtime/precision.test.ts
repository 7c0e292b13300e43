import { strict as assert } from 'node:assert';
import { syntheticConfig, syntheticWeights, TINY_OPTIONS } from '../../../src/core/checkpoint/synthetic';
import { isPrecision } from '../../../src/core/precision';
import { graphCacheKey } from '../../../src/core/runtime/model-cache';
import { engineFlags } from '../../../src/cli/engine-flags';
import { lensError } from '../../support/lens-error';

describe('precision', () => {
  it('knows fp32, fp16 and int8 and nothing else', () => {
    assert.deepEqual(['fp32', 'fp16', 'int8', 'fp64', 'FP16', ''].map(isPrecision), [true, true, true, false, false, false]);
  });

  it('gives each precision its own graph cache entry', () => {
    const config = syntheticConfig(TINY_OPTIONS);
    const weights = syntheticWeights(config, 1);
    const keys = new Set(['fp32', 'fp16', 'int8'].map((p) => graphCacheKey(config, weights, p as 'fp32')));
    assert.equal(keys.size, 3);
    assert.equal(graphCacheKey(config, weights, 'fp16'), graphCacheKey(config, weights, 'fp16'));
  });

  it('--precision defaults to fp32 and rejects an unknown value with the choices', () => {
    assert.equal(engineFlags({}).precision, 'fp32');
    assert.equal(engineFlags({ precision: 'fp16' }).precision, 'fp16');
    assert.throws(
      () => engineFlags({ precision: 'half' }),
      lensError('BAD_ARGUMENT', /--precision half: unknown precision; choose one of fp32, fp16, int8/),
    );
  });
});
