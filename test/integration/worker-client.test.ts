// The extension's side of the process model, in plain Node: the real worker bundle is forked, asked for real work,
// cancelled, killed and restarted.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerClient, WorkerError } from '../../src/extension/worker-client';
import type { EngineInfo } from '../../src/worker/protocol';
import { FakeHub, fixtureRepo } from '../unit/hub/fake-hub';
import { writeTaskCheckpoint } from './support-checkpoint';

const ROOT = join(__dirname, '..', '..');
const WORKER = join(ROOT, 'dist', 'worker.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'longformer-ref', 'cls-tiny');

function isWorkerError(code: string): (error: unknown) => boolean {
  return (error) => error instanceof WorkerError && error.code === code;
}

describe('worker client and engine worker', function () {
  let dir: string;
  let client: WorkerClient;
  const logged: string[] = [];

  before(async function () {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
    dir = mkdtempSync(join(tmpdir(), 'lens-worker-'));
    await writeTaskCheckpoint(join(dir, 'cls'), 'sequence-classification', 11, { labels: ['negative', 'positive'] });
    // The worker caches generated graphs here rather than in the user's cache.
    process.env['XDG_CACHE_HOME'] = join(dir, 'cache');
  });

  beforeEach(() => {
    client = new WorkerClient({ workerPath: WORKER, log: (line) => logged.push(line) });
  });

  afterEach(() => client.dispose());

  after(() => {
    delete process.env['XDG_CACHE_HOME'];
    rmSync(dir, { recursive: true, force: true });
  });

  it('summarises a checkpoint in the worker process, not in this one', async () => {
    const summary = await client.request('modelSummary', { modelDir: FIXTURE });
    assert.equal(summary.architecture, 'LongformerForSequenceClassification');
    assert.deepEqual(summary.labels, ['negative', 'neutral', 'positive']);
    assert.equal(summary.parameterCount, 30563);
    assert.ok(client.pid !== undefined && client.pid !== process.pid);
  });

  it('classifies a document with progress per chunk, typed arrays intact', async () => {
    const progress: string[] = [];
    const text = 'The quarterly report shows steady growth. '.repeat(60);
    const result = await client.request(
      'classify',
      { modelDir: join(dir, 'cls'), provider: 'cpu', text, spans: [{ start: 0, end: 11 }] },
      { onProgress: (p) => progress.push(`${p.done}/${p.total}`) },
    );
    assert.ok(result.probabilities instanceof Float32Array, 'probabilities arrive as a Float32Array');
    assert.equal(result.probabilities.length, 2);
    assert.ok(Math.abs(result.probabilities[0]! + result.probabilities[1]! - 1) < 1e-5);
    assert.ok(result.chunks.length > 1, 'the document is longer than one chunk');
    assert.equal(result.provider, 'cpu');
    assert.ok(result.globalTokens >= 2, 'the span "The quarterly" made its tokens global');
    assert.ok(
      progress.includes(`${result.chunks.length}/${result.chunks.length}`),
      `progress reached the last chunk: ${progress.join(' ')}`,
    );
  });

  it("returns one mode's attention for every layer and head as one typed cube, with truthful progress", async () => {
    const progress: string[] = [];
    const text = 'The quarterly report shows steady growth. '.repeat(60);
    const cube = await client.request(
      'attentionCube',
      { modelDir: join(dir, 'cls'), provider: 'cpu', text, spans: [], mode: 'received' },
      { onProgress: (p) => progress.push(p.message) },
    );
    assert.deepEqual([cube.mode, cube.layers, cube.heads], ['received', 2, 4]);
    assert.ok(cube.scores instanceof Float32Array && cube.starts instanceof Uint32Array);
    assert.equal(cube.scores.length, cube.layers * cube.heads * cube.tokens);
    assert.equal(cube.tokens, cube.starts.length);
    assert.deepEqual(cube.model, { layers: 2, heads: 4, attentionWindow: [16, 16] });
    // Every token receives attention (at least its own) in every layer and head.
    assert.ok(cube.scores.every((score) => score > 0));
    const chunks = progress.filter((message) => message !== 'loading the model');
    assert.ok(
      chunks.length > 1 && chunks.every((message) => message.startsWith('attention for every layer and head: chunk ')),
      progress.join('; '),
    );
    assert.equal(client.requestCounts().attentionCube, 1);
  });

  it('says which provider runs, with the reason for a fallback from auto', async () => {
    const engines: EngineInfo[] = [];
    const result = await client.request(
      'classify',
      { modelDir: join(dir, 'cls'), provider: 'auto', text: 'A short note.', spans: [] },
      { onEngine: (engine) => engines.push(engine) },
    );
    assert.equal(engines.length, 1, 'one engine message per task request');
    assert.equal(engines[0]!.modelDir, join(dir, 'cls'));
    assert.equal(engines[0]!.provider, result.provider);
    // onnxruntime-node is installed without its CUDA libraries here (onnxruntime-node-install=skip).
    assert.match(engines[0]!.providerNote ?? '', /cuda unavailable .*running on /);
  });

  it('says which precision runs: fp16 asked for on the CPU runs fp32, with the reason', async () => {
    const engines: EngineInfo[] = [];
    const request = (precision: 'fp32' | 'fp16'): Promise<unknown> =>
      client.request(
        'classify',
        { modelDir: join(dir, 'cls'), provider: 'cpu', precision, text: 'A short note.', spans: [] },
        { onEngine: (engine) => engines.push(engine) },
      );
    await request('fp32');
    await request('fp16');
    assert.equal(engines.length, 2);
    assert.equal(engines[0]!.precision, 'fp32');
    assert.equal(engines[0]!.precisionNote, undefined);
    assert.equal(engines[1]!.precision, 'fp32');
    assert.match(engines[1]!.precisionNote ?? '', /^fp16 not run: fp16 runs on GPU providers only; ran fp32\.$/);
  });

  it('runs a long document as one window with the extendPositions setting, and says it is an approximation', async () => {
    const engines: EngineInfo[] = [];
    const text = 'The quarterly report shows steady growth. '.repeat(60);
    const result = await client.request(
      'classify',
      { modelDir: join(dir, 'cls'), provider: 'cpu', extendPositions: 1024, text, spans: [] },
      { onEngine: (engine) => engines.push(engine) },
    );
    assert.equal(result.chunks.length, 1);
    assert.match(engines[0]!.approximation ?? '', /^position embeddings extended from 128 to 1024 tokens/);
    // The result itself carries it too (RunInfo.approximation), as the CLI's JSON and batch lines do.
    assert.equal(result.approximation, engines[0]!.approximation);
  });

  it('returns typed errors with the user-facing sentence', async () => {
    await assert.rejects(
      client.request('answer', { modelDir: join(dir, 'cls'), provider: 'cpu', text: 'Some text.', spans: [], question: 'Why?', topK: 1 }),
      isWorkerError('WRONG_HEAD'),
    );
    await assert.rejects(client.request('modelSummary', { modelDir: join(dir, 'missing') }), (error: unknown) => {
      return error instanceof WorkerError && error.code !== 'INTERNAL' && error.message.includes('missing');
    });
  });

  it('cancels between chunks', async () => {
    const controller = new AbortController();
    const text = 'A long line of text for many chunks. '.repeat(400);
    const run = client.request(
      'classify',
      { modelDir: join(dir, 'cls'), provider: 'cpu', text, spans: [] },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done >= 1) controller.abort();
        },
      },
    );
    await assert.rejects(run, isWorkerError('CANCELLED'));
    // The worker is still healthy afterwards.
    const summary = await client.request('modelSummary', { modelDir: FIXTURE });
    assert.equal(summary.layers, 2);
  });

  it('reports a worker that cannot start instead of throwing', async () => {
    const broken = new WorkerClient({ workerPath: join(dir, 'no-such-worker.js'), log: (line) => logged.push(line) });
    try {
      await assert.rejects(broken.request('modelSummary', { modelDir: FIXTURE }), (error: unknown) => {
        return error instanceof WorkerError && error.code === 'RUNTIME_FAILED' && error.message.includes('no-such-worker.js is missing');
      });
    } finally {
      broken.dispose();
    }
  });

  it('reports a dying worker and starts a fresh one on the next request', async () => {
    await client.request('modelSummary', { modelDir: FIXTURE });
    const firstPid = client.pid;
    assert.ok(firstPid !== undefined);
    const pending = client.request('classify', { modelDir: join(dir, 'cls'), provider: 'cpu', text: 'Doomed request.', spans: [] });
    process.kill(firstPid, 'SIGKILL');
    await assert.rejects(pending, isWorkerError('WORKER_DIED'));
    const summary = await client.request('modelSummary', { modelDir: FIXTURE });
    assert.equal(summary.head, 'sequence-classification');
    assert.ok(client.pid !== undefined && client.pid !== firstPid, 'a new worker process answered');
    assert.ok(
      logged.some((line) => line.includes('engine worker stopped')),
      'the death was logged',
    );
  });

  describe('hub downloads through the worker', () => {
    const hub = new FakeHub();
    const saved = { ...process.env };
    before(async () => {
      await hub.start();
      hub.addRepo(fixtureRepo('tiny-org/tiny', 'a'.repeat(40)));
      hub.addRepo(fixtureRepo('gated-org/tiny', 'b'.repeat(40), { gatedToken: 'hf_secret_e2e' }));
      // The worker reads the hub settings from the environment it is started with.
      process.env['HF_ENDPOINT'] = hub.hubUrl;
      process.env['HF_HUB_CACHE'] = join(dir, 'hub-cache');
      delete process.env['HF_TOKEN'];
    });
    after(async () => {
      for (const name of ['HF_ENDPOINT', 'HF_HUB_CACHE', 'HF_HUB_OFFLINE', 'HF_TOKEN']) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
      await hub.close();
    });

    it('downloads with byte progress, then opens the repository id from the cache offline', async () => {
      const messages: string[] = [];
      const result = await client.request('download', { repo: 'tiny-org/tiny' }, { onProgress: (p) => messages.push(p.message) });
      assert.equal(result.fromCache, false);
      assert.ok(result.snapshotDir.endsWith(join('models--tiny-org--tiny', 'snapshots', 'a'.repeat(40))));
      assert.ok(
        messages.some((m) => /model\.safetensors: [\d.]+ kB of [\d.]+ kB/.test(m)),
        messages.join(' | '),
      );
      // A file that arrives within one millisecond has no rate yet; the larger ones (vocab.json, 800 kB) do.
      assert.ok(
        messages.some((m) => /: [\d.]+ kB of [\d.]+ kB, [\d.]+ [kMG]B\/s$/.test(m)),
        messages.join(' | '),
      );
      client.dispose();

      process.env['HF_HUB_OFFLINE'] = '1';
      client = new WorkerClient({ workerPath: WORKER });
      const summary = await client.request('modelSummary', { modelDir: 'tiny-org/tiny' });
      delete process.env['HF_HUB_OFFLINE'];
      assert.equal(summary.architecture, 'LongformerModel');
      assert.equal(summary.folder, result.snapshotDir);
    });

    it('sends the token from the request for a gated repository, and explains the refusal without one', async () => {
      await assert.rejects(client.request('download', { repo: 'gated-org/tiny' }), isWorkerError('HUB_ERROR'));
      const result = await client.request('download', { repo: 'gated-org/tiny', token: 'hf_secret_e2e' });
      assert.equal(result.commit, 'b'.repeat(40));
      assert.ok(!logged.some((line) => line.includes('hf_secret_e2e')), 'the token never reaches the log');
    });
  });
});
