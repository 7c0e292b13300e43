import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { defaultCacheDir } from '../../../src/core/runtime/model-cache';
import { providerCandidates, sessionOptions } from '../../../src/core/runtime/providers';

describe('execution providers', () => {
  it('tries the platform GPU providers first for auto and always ends on the CPU', () => {
    assert.deepEqual(providerCandidates('auto', 'linux', 'x64'), ['cuda', 'webgpu', 'cpu']);
    assert.deepEqual(providerCandidates('auto', 'win32', 'x64'), ['dml', 'cpu']);
    assert.deepEqual(providerCandidates('auto', 'darwin', 'arm64'), ['coreml', 'cpu']);
    assert.deepEqual(providerCandidates('auto', 'linux', 'arm64'), ['cpu']);
    assert.deepEqual(providerCandidates('cuda', 'linux', 'x64'), ['cuda', 'cpu']);
    assert.deepEqual(providerCandidates('cpu', 'win32', 'x64'), ['cpu']);
  });

  it('sets the intra-op thread count only when given', () => {
    assert.equal(sessionOptions('cpu', { threads: 3 }).intraOpNumThreads, 3);
    assert.equal(sessionOptions('cpu', {}).intraOpNumThreads, undefined);
    assert.deepEqual(sessionOptions('cuda', {}).executionProviders, ['cuda']);
  });

  it('caches under $XDG_CACHE_HOME, else ~/.cache', () => {
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' }), join('/x/cache', 'longformer-lens'));
    assert.match(defaultCacheDir({}), /\.cache[\\/]longformer-lens$/);
  });
});
