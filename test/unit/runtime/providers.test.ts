import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { defaultCacheDir } from '../../../src/core/runtime/model-cache';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { hasVulkanLoader, providerCandidates, sessionOptions } from '../../../src/core/runtime/providers';

describe('execution providers', () => {
  it('tries the platform GPU providers first for auto and always ends on the CPU', () => {
    assert.deepEqual(providerCandidates('auto', 'linux', 'x64'), ['cuda', 'webgpu', 'cpu']);
    assert.deepEqual(providerCandidates('auto', 'win32', 'x64'), ['dml', 'cpu']);
    assert.deepEqual(providerCandidates('auto', 'darwin', 'arm64'), ['coreml', 'cpu']);
    assert.deepEqual(providerCandidates('auto', 'linux', 'arm64'), ['cpu']);
    assert.deepEqual(providerCandidates('cuda', 'linux', 'x64'), ['cuda', 'cpu']);
    assert.deepEqual(providerCandidates('cpu', 'win32', 'x64'), ['cpu']);
    assert.deepEqual(providerCandidates('wasm', 'linux', 'x64'), ['wasm']);
  });

  it('finds a Vulkan loader on LD_LIBRARY_PATH (what WebGPU needs on Linux)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'lens-vulkan-'));
    try {
      const without = hasVulkanLoader({ LD_LIBRARY_PATH: folder });
      writeFileSync(join(folder, 'libvulkan.so.1'), '');
      assert.equal(hasVulkanLoader({ LD_LIBRARY_PATH: folder }), true);
      // Without the file only the system folders count, the same as with no LD_LIBRARY_PATH at all.
      assert.equal(without, hasVulkanLoader({}));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('sets the intra-op thread count only when given', () => {
    assert.equal(sessionOptions('cpu', { threads: 3 }).intraOpNumThreads, 3);
    assert.equal(sessionOptions('cpu', {}).intraOpNumThreads, undefined);
    assert.deepEqual(sessionOptions('cuda', {}).executionProviders, ['cuda']);
    // onnxruntime-web takes its thread count per process (env.wasm.numThreads), not per session.
    assert.equal(sessionOptions('wasm', { threads: 3 }).intraOpNumThreads, undefined);
  });

  it('caches under $XDG_CACHE_HOME, else ~/.cache', () => {
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' }), join('/x/cache', 'longformer-lens'));
    assert.match(defaultCacheDir({}), /\.cache[\\/]longformer-lens$/);
  });
});
