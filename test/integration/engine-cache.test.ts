// The disk cache of generated models (a second open builds nothing), provider fallback and option checks.
import { strict as assert } from 'node:assert';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LensError } from '../../src/core/errors';
import { MODEL_FILE, WEIGHTS_FILE } from '../../src/core/runtime/model-cache';
import type { ModelInputs } from '../../src/core/runtime/engine';
import { openEngine } from '../../src/core/runtime/open';
import { SIX_TOKENS } from '../support/reference';

const CLS = join(__dirname, '..', 'fixtures', 'longformer-ref', 'cls-tiny');

describe('engine: model cache, providers, options', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'lens-cache-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('builds the graph on the first open and reuses the cached files on the second', async () => {
    const cacheDir = join(root, 'cache');
    const first = await openEngine(CLS, { provider: 'cpu', threads: 1, cacheDir });
    const firstLogits = (await first.run(SIX_TOKENS, ['logits'])).tensors.get('logits')?.data;
    await first.dispose();
    assert.equal(first.cache.hit, false);
    assert.ok(first.cache.directory.startsWith(join(cacheDir, 'onnx')));
    const before = await stat(join(first.cache.directory, MODEL_FILE));
    const weightsBefore = await stat(join(first.cache.directory, WEIGHTS_FILE));

    const second = await openEngine(CLS, { provider: 'cpu', threads: 1, cacheDir });
    const secondLogits = (await second.run(SIX_TOKENS, ['logits'])).tensors.get('logits')?.data;
    await second.dispose();
    assert.equal(second.cache.hit, true);
    assert.equal(second.cache.directory, first.cache.directory);
    const after = await stat(join(second.cache.directory, MODEL_FILE));
    assert.equal(after.mtimeMs, before.mtimeMs, 'the cached model was not rewritten');
    assert.equal((await stat(join(second.cache.directory, WEIGHTS_FILE))).mtimeMs, weightsBefore.mtimeMs);
    // One entry, no staging folders left behind.
    assert.deepEqual(await readdir(join(cacheDir, 'onnx')), [first.cache.directory.split(/[\\/]/).pop()]);
    assert.deepEqual(secondLogits, firstLogits);
  });

  it('rebuilds an entry that lost a file', async () => {
    const cacheDir = join(root, 'cache');
    const first = await openEngine(CLS, { provider: 'cpu', threads: 1, cacheDir });
    await first.dispose();
    assert.equal(first.cache.hit, true);
    await rm(join(first.cache.directory, WEIGHTS_FILE));
    const rebuilt = await openEngine(CLS, { provider: 'cpu', threads: 1, cacheDir });
    try {
      assert.equal(rebuilt.cache.hit, false);
      assert.equal(rebuilt.cache.directory, first.cache.directory);
      assert.deepEqual((await rebuilt.run(SIX_TOKENS, ['logits'])).tensors.get('logits')?.shape, [1, 3]);
    } finally {
      await rebuilt.dispose();
    }
  });

  it('opens an unchanged folder without reading its weights, and notices a changed one', async () => {
    const cacheDir = join(root, 'fingerprint-cache');
    const model = join(root, 'fingerprint-model');
    await mkdir(model, { recursive: true });
    for (const file of ['config.json', 'model.safetensors']) await copyFile(join(CLS, file), join(model, file));
    const open = () => openEngine(model, { provider: 'cpu', threads: 1, cacheDir });

    const first = await open();
    const logits = (await first.run(SIX_TOKENS, ['logits'])).tensors.get('logits')?.data;
    await first.dispose();
    assert.equal(first.weightsLoaded, true);

    const second = await open();
    await second.dispose();
    assert.equal(second.weightsLoaded, false, 'the source index matched: only config.json was read');
    assert.equal(second.cache.hit, true);
    assert.equal(second.cache.key, first.cache.key);

    // Weights rewritten: same bytes (touched), then different bytes. Both must go through the weights again.
    const weights = join(model, 'model.safetensors');
    const bytes = await readFile(weights);
    await writeFile(weights, bytes);
    const touched = await open();
    assert.equal(touched.weightsLoaded, true);
    assert.equal(touched.cache.key, first.cache.key, 'same bytes, same graph');
    assert.deepEqual((await touched.run(SIX_TOKENS, ['logits'])).tensors.get('logits')?.data, logits);
    await touched.dispose();

    const changed = Buffer.from(bytes);
    changed[changed.length - 1] = changed[changed.length - 1]! ^ 0x40; // flip a bit in the last float
    await writeFile(weights, changed);
    const rebuilt = await open();
    await rebuilt.dispose();
    assert.equal(rebuilt.weightsLoaded, true);
    assert.notEqual(rebuilt.cache.key, first.cache.key, 'new weights, new graph');
  });

  it('keys the cache on the config too: another window gets another entry', async () => {
    const cacheDir = join(root, 'cache');
    const dir = join(root, 'cls-window-4');
    await mkdir(dir);
    const config = JSON.parse(await readFile(join(CLS, 'config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'config.json'), JSON.stringify({ ...config, attention_window: [4, 4] }));
    await copyFile(join(CLS, 'model.safetensors'), join(dir, 'model.safetensors'));
    const engine = await openEngine(dir, { provider: 'cpu', threads: 1, cacheDir });
    await engine.dispose();
    assert.equal(engine.cache.hit, false);
    assert.equal((await readdir(join(cacheDir, 'onnx'))).length, 2);
  });

  it('falls back to the CPU with the reason when the requested provider cannot start', async function () {
    if (process.platform === 'win32') this.skip(); // DirectML exists there
    const engine = await openEngine(CLS, { provider: 'dml', threads: 1, cacheDir: join(root, 'cache') });
    try {
      assert.equal(engine.provider, 'cpu');
      assert.match(engine.providerNote ?? '', /dml unavailable .*running on cpu/);
      assert.equal((await engine.run(SIX_TOKENS, ['logits'])).provider, 'cpu');
    } finally {
      await engine.dispose();
    }
  });

  it('auto starts on a provider that runs, and explains each GPU provider it passed over', async () => {
    const engine = await openEngine(CLS, { provider: 'auto', threads: 1, cacheDir: join(root, 'cache') });
    try {
      assert.equal((await engine.run(SIX_TOKENS, ['logits'])).provider, engine.provider);
      if (engine.provider === 'cpu' && process.platform === 'linux' && process.arch === 'x64') {
        assert.match(engine.providerNote ?? '', /cuda unavailable \(.+\); webgpu (unavailable|passed over) \(.+\); running on cpu\./);
      }
    } finally {
      await engine.dispose();
    }
  });

  it('rejects bad options, outputs the head lacks, bad ids, and a cancelled open', async () => {
    const cacheDir = join(root, 'cache');
    await assert.rejects(openEngine(CLS, { threads: 0, cacheDir }), (e: unknown) => e instanceof LensError && e.code === 'BAD_ARGUMENT');
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      openEngine(CLS, { cacheDir, signal: controller.signal }),
      (e: unknown) => e instanceof LensError && e.code === 'CANCELLED',
    );
    const engine = await openEngine(CLS, { provider: 'cpu', threads: 1, cacheDir });
    try {
      await assert.rejects(engine.run(SIX_TOKENS, ['start_logits']), (e: unknown) => e instanceof LensError && e.code === 'WRONG_HEAD');
      const badId = { ...SIX_TOKENS, inputIds: BigInt64Array.from([0n, 10n, 120n, 30n, 40n, 2n]) };
      await assert.rejects(engine.run(badId, ['logits']), /input_ids\[0\]\[2\] = 120 is outside the vocabulary/);
      const tooLong: ModelInputs = {
        batchSize: 1,
        seqLen: 63,
        inputIds: new BigInt64Array(63).fill(5n),
        attentionMask: new BigInt64Array(63).fill(1n),
        globalAttentionMask: new BigInt64Array(63),
      };
      await assert.rejects(engine.run(tooLong, ['logits']), (e: unknown) => e instanceof LensError && e.code === 'INPUT_TOO_LONG');
      // 62 = max_position_embeddings (64) - pad id (1) - 1 is the longest input and runs.
      const longest = {
        ...tooLong,
        seqLen: 62,
        inputIds: tooLong.inputIds.slice(0, 62),
        attentionMask: tooLong.attentionMask.slice(0, 62),
        globalAttentionMask: tooLong.globalAttentionMask.slice(0, 62),
      };
      assert.deepEqual((await engine.run(longest, ['logits'])).tensors.get('logits')?.shape, [1, 3]);
    } finally {
      await engine.dispose();
    }
  });
});
