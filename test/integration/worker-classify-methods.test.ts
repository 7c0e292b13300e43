// The worker's classification methods for models without a classification head: zero-shot labels, a head trained
// in the worker from a folder (progress per file, cancellable) and then used. The real worker bundle is forked.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerClient, WorkerError } from '../../src/extension/worker-client';
import { writeTaskCheckpoint } from './support-checkpoint';

const ROOT = join(__dirname, '..', '..');
const WORKER = join(ROOT, 'dist', 'worker.js');
const TRAIN = join(ROOT, 'test', 'fixtures', 'text-families', 'train');

describe('worker: zero-shot and trained-head classification', function () {
  this.timeout(300_000);
  let dir: string;
  let model: string;
  let client: WorkerClient;

  before(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
    dir = mkdtempSync(join(tmpdir(), 'lens-worker-methods-'));
    model = join(dir, 'mlm');
    await writeTaskCheckpoint(model, 'masked-lm', 41, { maxPositionEmbeddings: 258, attentionWindow: 32 });
    process.env['XDG_CACHE_HOME'] = join(dir, 'cache');
    client = new WorkerClient({ workerPath: WORKER, log: () => undefined });
  });

  after(() => {
    client.dispose();
    delete process.env['XDG_CACHE_HOME'];
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains a head with progress per file; cancelling stops it without writing a head', async () => {
    const controller = new AbortController();
    const cancelled = join(dir, 'cancelled');
    await assert.rejects(
      client.request(
        'trainHead',
        { modelDir: model, provider: 'cpu', examplesDir: TRAIN, outDir: cancelled },
        {
          signal: controller.signal,
          onProgress: (p) => {
            if (p.message !== 'loading the model' && p.done === 3) controller.abort();
          },
        },
      ),
      (error: unknown) => error instanceof WorkerError && error.code === 'CANCELLED',
    );
    assert.equal(existsSync(cancelled), false);

    const files: string[] = [];
    const out = join(dir, 'head');
    const report = await client.request(
      'trainHead',
      { modelDir: model, provider: 'cpu', examplesDir: TRAIN, outDir: out },
      { onProgress: (p) => (p.message === 'loading the model' ? undefined : files.push(`${p.done}/${p.total} ${p.message}`)) },
    );
    assert.equal(files.length, 18);
    assert.equal(files[0], '1/18 coreutils-1.txt');
    assert.deepEqual(report.labels, ['changelog', 'license', 'python']);
    assert.ok(report.crossValidation !== null && report.crossValidation.accuracy >= 0.8);
    assert.ok(report.fromCache >= 3, 'the files embedded before the cancel came from the cache');
    assert.deepEqual(readdirSync(out).sort(), ['head.json', 'head.safetensors']);

    const text = 'def wrap(text, width=70):\n    lines = []\n    for word in text.split():\n        lines.append(word)\n    return lines\n';
    const result = await client.request('classify', {
      modelDir: model,
      provider: 'cpu',
      text,
      spans: [],
      method: { kind: 'trained-head', headDir: out },
    });
    assert.equal(result.method, 'trained-head');
    assert.deepEqual(result.labels, ['changelog', 'license', 'python']);
    assert.ok(result.probabilities instanceof Float32Array);
  });

  it('classifies with zero-shot labels, and says when the model has no classification head', async () => {
    const result = await client.request('classify', {
      modelDir: model,
      provider: 'cpu',
      text: 'The tenant pays the rent on the first day of every month.',
      spans: [],
      method: { kind: 'zero-shot', labels: 'lease=lease|rent,music' },
    });
    assert.equal(result.method, 'zero-shot');
    assert.ok('calibration' in result && result.calibration.applied);
    await assert.rejects(
      client.request('classify', { modelDir: model, provider: 'cpu', text: 'Some text.', spans: [] }),
      (error: unknown) => error instanceof WorkerError && error.code === 'WRONG_HEAD',
    );
  });
});
