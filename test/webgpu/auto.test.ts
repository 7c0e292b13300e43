// `auto` on a machine whose WebGPU adapter is known: a software renderer is passed over for the CPU with the reason
// in the result; a hardware adapter is taken. An explicit --provider webgpu runs on whatever adapter exists. Runs only
// in `npm run test:webgpu` (a WebGPU adapter exists).
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelInputs } from '../../src/core/runtime/engine';
import { openEngine } from '../../src/core/runtime/open';
import { identifyWebGpuAdapter, isSoftwareAdapter } from '../../src/core/runtime/webgpu-adapter';

const CLS = join(__dirname, '..', 'fixtures', 'longformer-ref', 'cls-tiny');
const INPUTS: ModelInputs = {
  batchSize: 1,
  seqLen: 5,
  inputIds: BigInt64Array.from([0n, 10n, 20n, 30n, 2n]),
  attentionMask: BigInt64Array.from([1n, 1n, 1n, 1n, 1n]),
  globalAttentionMask: BigInt64Array.from([1n, 0n, 0n, 0n, 0n]),
};

describe('auto and the WebGPU adapter', () => {
  let cacheDir = '';
  before(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'lens-webgpu-auto-'));
  });
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('identifies the adapter from the Vulkan loader, and caches the verdict', async () => {
    const adapter = await identifyWebGpuAdapter(cacheDir);
    assert.ok(adapter?.name !== undefined && adapter.name !== '', 'the loader named no device');
    process.stdout.write(`      adapter: ${adapter.name} (${adapter.driver ?? '?'})\n`);
  });

  it('auto passes over a software adapter with the reason in the result, and takes a hardware one', async () => {
    const adapter = await identifyWebGpuAdapter(cacheDir);
    assert.ok(adapter !== undefined);
    const engine = await openEngine(CLS, { provider: 'auto', threads: 1, cacheDir });
    try {
      const result = await engine.run(INPUTS, ['logits']);
      if (isSoftwareAdapter(adapter)) {
        assert.equal(result.provider, 'cpu');
        assert.match(
          result.providerNote ?? '',
          /webgpu passed over \(its adapter ".+" is a software renderer, slower than the CPU provider/,
        );
      } else {
        assert.notEqual(result.provider, 'cpu', result.providerNote);
      }
    } finally {
      await engine.dispose();
    }
  });

  it('an explicit webgpu runs on any adapter', async () => {
    const engine = await openEngine(CLS, { provider: 'webgpu', threads: 1, cacheDir });
    try {
      const result = await engine.run(INPUTS, ['logits']);
      assert.equal(result.provider, 'webgpu');
      assert.equal(result.providerNote, undefined);
    } finally {
      await engine.dispose();
    }
  });
});
