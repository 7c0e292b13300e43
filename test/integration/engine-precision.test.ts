// --precision on the CPU provider: fp16 is a GPU precision, so the engine runs fp32, says so in every result, and gives
// exactly the fp32 numbers. (fp16 itself is tested on WebGPU in test/webgpu/fp16.test.ts and, as a graph, on the CPU
// in test/unit/graph/half-precision.test.ts.)
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine } from '../../src/core/runtime/open';
import { SIX_TOKENS } from '../support/reference';

const CLS = join(__dirname, '..', 'fixtures', 'longformer-ref', 'cls-tiny');

describe('engine: precision on the CPU provider', () => {
  let cacheDir = '';
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'lens-precision-'));
  });
  after(() => rm(cacheDir, { recursive: true, force: true }));

  it('fp16 asked on the CPU runs fp32 and says why, in the engine and in each result', async () => {
    const half = await openEngine(CLS, { provider: 'cpu', precision: 'fp16', threads: 1, cacheDir });
    const full = await openEngine(CLS, { provider: 'cpu', precision: 'fp32', threads: 1, cacheDir });
    try {
      assert.equal(half.precision, 'fp32');
      assert.match(half.precisionNote ?? '', /fp16 not run: fp16 runs on GPU providers only; ran fp32\./);
      const a = await half.run(SIX_TOKENS, ['logits']);
      const b = await full.run(SIX_TOKENS, ['logits']);
      assert.equal(a.precision, 'fp32');
      assert.equal(a.precisionNote, half.precisionNote);
      assert.equal(b.precisionNote, undefined);
      assert.deepEqual(a.tensors.get('logits'), b.tensors.get('logits'));
      assert.equal(half.cache.key, full.cache.key, 'the fp32 graph, not a second build');
    } finally {
      await half.dispose();
      await full.dispose();
    }
  });
});
