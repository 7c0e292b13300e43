// The CPU session's optimized graph, saved beside the cached one on the first open and opened from there afterwards.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession } from 'onnxruntime-common';
import type { ModelInputs } from '../../src/core/runtime/engine';
import { ATTENTIONS_MODEL_FILE, MODEL_FILE, WEIGHTS_FILE } from '../../src/core/runtime/model-cache';
import { openEngine } from '../../src/core/runtime/open';
import { type CreateSession, createOptimizedSession, optimizedGraphPath, STALE_AFTER_DAYS } from '../../src/core/runtime/optimized-graph';
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

  it('makes a prepacked form again when its folder lost its graph', async () => {
    const optimized = optimizedGraphPath(modelPath);
    await rm(optimized); // the folder and its weights stay
    const calls: { path: string; saves: boolean }[] = [];
    await (await createOptimizedSession(modelPath, sessionOptions('cpu', { threads: 1 }), recordingCreate(calls))).release();
    assert.deepEqual(calls, [{ path: modelPath, saves: true }]);
    assert.ok(existsSync(optimized), 'saved again in place');
    const again: { path: string; saves: boolean }[] = [];
    await (await createOptimizedSession(modelPath, sessionOptions('cpu', { threads: 1 }), recordingCreate(again))).release();
    assert.deepEqual(again, [{ path: optimized, saves: false }]);
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

  it("removes other builds' and machines' forms that no open used for a month, and crashed saves, keeping the rest", async () => {
    const folder = join(modelPath, '..');
    const daysAgo = (days: number): Date => new Date(Date.now() - days * 86_400_000);
    const age = async (name: string, when: Date): Promise<void> => utimes(join(folder, name), when, when);
    // Left by an onnxruntime upgrade (unused for longer than the limit), and by a host of another kind that still
    // shares the cache (used recently); the light form of another graph's variant, old; a save that crashed
    // yesterday, and one that may still be running.
    const stale = 'model.optimized-cpu-000000000000';
    const shared = 'model.optimized-cpu-111111111111';
    const staleLight = 'model-attentions.optimized-cpu-000000000000.onnx';
    const crashed = 'model.optimized-cpu-222222222222.tmp-1-deadbeef';
    const saving = 'model.optimized-cpu-333333333333.tmp-2-cafef00d';
    for (const name of [stale, shared, crashed, saving]) await mkdir(join(folder, name));
    await writeFile(join(folder, staleLight), 'old light form');
    await age(stale, daysAgo(STALE_AFTER_DAYS + 1));
    await age(shared, daysAgo(STALE_AFTER_DAYS - 1));
    await age(staleLight, daysAgo(STALE_AFTER_DAYS + 1));
    await age(crashed, daysAgo(2));
    const current = join(optimizedGraphPath(modelPath), '..');
    await (
      await createOptimizedSession(modelPath, sessionOptions('cpu', { threads: 1 }), (path, options) =>
        InferenceSession.create(path, options),
      )
    ).release();
    await utimes(current, daysAgo(STALE_AFTER_DAYS + 5), daysAgo(STALE_AFTER_DAYS + 5));

    const session = await createOptimizedSession(modelPath, sessionOptions('cpu', { threads: 1 }), (path, options) =>
      InferenceSession.create(path, options),
    );
    await session.release();
    const left = await readdir(folder);
    assert.ok(!left.includes(stale), 'the old form of another build is removed');
    assert.ok(!left.includes(crashed), "a crashed save's staging folder is removed");
    assert.ok(left.includes(shared), 'a form another host used this month stays');
    assert.ok(left.includes(saving), 'a save that may still be running stays');
    assert.ok(left.includes(staleLight), "another variant's forms are left to that variant's opens");
    // The form this open used is marked as used, however old it was.
    const used = (await stat(current)).mtimeMs;
    assert.ok(Date.now() - used < 3_600_000, `the open form was marked as used (${new Date(used).toISOString()})`);
    for (const name of [shared, saving, staleLight]) await rm(join(folder, name), { recursive: true, force: true });
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
