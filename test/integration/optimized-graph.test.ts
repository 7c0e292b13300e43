// The CPU session's optimized graph, saved beside the cached one on the first open and opened from there afterwards.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession } from 'onnxruntime-common';
import type { ModelInputs } from '../../src/core/runtime/engine';
import { ATTENTIONS_MODEL_FILE, MODEL_FILE, WEIGHTS_FILE } from '../../src/core/runtime/model-cache';
import { openEngine } from '../../src/core/runtime/open';
import { type CreateSession, createOptimizedSession, optimizedGraphPath } from '../../src/core/runtime/optimized-graph';
import { sessionOptions } from '../../src/core/runtime/providers';

const CLS = join(__dirname, '..', 'fixtures', 'longformer-ref', 'cls-tiny');

const INPUTS: ModelInputs = {
  batchSize: 1,
  seqLen: 7,
  inputIds: BigInt64Array.from([0n, 10n, 20n, 30n, 40n, 50n, 2n]),
  attentionMask: BigInt64Array.from([1n, 1n, 1n, 1n, 1n, 1n, 1n]),
  globalAttentionMask: BigInt64Array.from([1n, 0n, 0n, 1n, 0n, 0n, 0n]),
};

/** The real session factory, recording which file each session was made from and whether it was asked to save. */
function recordingCreate(calls: { path: string; saves: boolean }[], refuseToSave = false): CreateSession {
  return async (path, options) => {
    calls.push({ path, saves: options.optimizedModelFilePath !== undefined });
    if (refuseToSave && options.optimizedModelFilePath !== undefined) throw new Error('cannot write the optimized graph');
    return InferenceSession.create(path, options);
  };
}

describe('engine: the saved optimized graph (CPU)', () => {
  let root = '';
  let modelPath = '';
  let coldLogits: Float32Array | undefined;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'lens-optimized-'));
    const engine = await openEngine(CLS, { provider: 'cpu', threads: 1, cacheDir: join(root, 'cache') });
    try {
      coldLogits = (await engine.run(INPUTS, ['logits'])).tensors.get('logits')?.data;
    } finally {
      await engine.dispose();
    }
    modelPath = join(engine.cache.directory, MODEL_FILE);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is written on the first open, with no staging file left, and gives the same numbers when opened again', async () => {
    const optimized = optimizedGraphPath(modelPath);
    assert.ok(existsSync(optimized), 'the first CPU session saved its optimized graph');
    const files = await readdir(join(modelPath, '..'));
    assert.deepEqual(
      files.filter((file) => file.includes('.tmp-')),
      [],
    );
    // The main graph keeps its weights, prepacked copies included, in a weights file of its own: more than the
    // cached weights alone.
    assert.deepEqual((await readdir(join(optimized, '..'))).sort(), ['model.onnx', 'weights.data']);
    const saved = (await stat(join(optimized, '..', 'weights.data'))).size;
    const weights = (await stat(join(modelPath, '..', WEIGHTS_FILE))).size;
    assert.ok(saved > weights, `weights.data (${saved} bytes) holds the prepacked weights beside the ${weights} bytes of weights`);
    const calls: { path: string; saves: boolean }[] = [];
    const session = await createOptimizedSession(modelPath, sessionOptions('cpu', { threads: 1 }), recordingCreate(calls));
    await session.release();
    assert.deepEqual(calls, [{ path: optimized, saves: false }], 'the second session opened the saved graph, saving nothing');

    const warm = await openEngine(CLS, { provider: 'cpu', threads: 1, cacheDir: join(root, 'cache') });
    try {
      const warmLogits = (await warm.run(INPUTS, ['logits'])).tensors.get('logits')?.data;
      assert.ok(coldLogits !== undefined && coldLogits.length > 0);
      assert.deepEqual(warmLogits, coldLogits, 'bit-identical to the session built from the original graph');
    } finally {
      await warm.dispose();
    }
  });

  it('replaces a damaged optimized graph instead of failing', async () => {
    const optimized = optimizedGraphPath(modelPath);
    await writeFile(optimized, 'not an onnx model');
    const calls: { path: string; saves: boolean }[] = [];
    const session = await createOptimizedSession(modelPath, sessionOptions('cpu', { threads: 1 }), recordingCreate(calls));
    await session.release();
    assert.deepEqual(calls, [
      { path: optimized, saves: false },
      { path: modelPath, saves: true },
    ]);
    assert.notEqual((await readFile(optimized)).subarray(0, 17).toString(), 'not an onnx model');
  });

  it('still opens the original graph when the optimized one cannot be saved', async () => {
    const optimized = optimizedGraphPath(modelPath);
    await rm(optimized);
    const calls: { path: string; saves: boolean }[] = [];
    const session = await createOptimizedSession(modelPath, sessionOptions('cpu', { threads: 1 }), recordingCreate(calls, true));
    await session.release();
    assert.deepEqual(calls, [
      { path: modelPath, saves: true },
      { path: modelPath, saves: false },
    ]);
    assert.equal(existsSync(optimized), false);
  });

  it('names the folder or file for this onnxruntime build and machine, beside the graph it optimizes', () => {
    const optimized = optimizedGraphPath(modelPath);
    assert.equal(join(optimized, '..', '..'), join(modelPath, '..'));
    assert.match(optimized, /model\.optimized-cpu-[0-9a-f]{12}[/\\]model\.onnx$/);
    // The attention variants keep the light form: one file beside them, reading the cached weights.
    const attentions = optimizedGraphPath(join(modelPath, '..', ATTENTIONS_MODEL_FILE));
    assert.equal(join(attentions, '..'), join(modelPath, '..'));
    assert.match(attentions, /model-attentions\.optimized-cpu-[0-9a-f]{12}\.onnx$/);
  });
});
