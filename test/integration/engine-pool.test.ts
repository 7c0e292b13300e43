// The worker's engine pool: several models stay open within a memory budget, least recently used unloaded first,
// never one that a running request uses.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnginePool, type LoadedModel } from '../../src/worker/engine-pool';
import type { ModelChoice } from '../../src/worker/protocol';
import { writeTaskCheckpoint } from './support-checkpoint';

describe('engine pool', function () {
  let dir: string;
  let a: string;
  let b: string;
  const signal = new AbortController().signal;
  const saved = process.env['XDG_CACHE_HOME'];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lens-pool-'));
    process.env['XDG_CACHE_HOME'] = join(dir, 'cache');
    a = join(dir, 'a');
    b = join(dir, 'b');
    await writeTaskCheckpoint(a, 'sequence-classification', 3, { labels: ['no', 'yes'] });
    await writeTaskCheckpoint(b, 'question-answering', 4);
  });

  after(() => {
    if (saved === undefined) delete process.env['XDG_CACHE_HOME'];
    else process.env['XDG_CACHE_HOME'] = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  const choice = (modelDir: string, memoryBudgetBytes: number): ModelChoice => ({ modelDir, provider: 'cpu', memoryBudgetBytes });
  const bytesOf = (model: LoadedModel): number => model.bytes;

  it('keeps both models open when they fit the budget, and reuses the open engine', async () => {
    const pool = new EnginePool();
    const first = await pool.use(choice(a, 1e9), 'sequence-classification', signal, (model) => Promise.resolve(model));
    await pool.use(choice(b, 1e9), 'question-answering', signal, (model) => Promise.resolve(model));
    const again = await pool.use(choice(a, 1e9), 'sequence-classification', signal, (model) => Promise.resolve(model));
    assert.equal(again, first, 'the second request on a reuses its engine');
    assert.deepEqual(pool.openModels(), [b, a], 'least recently used first');
  });

  it('unloads the least recently used model when the budget is exceeded, and says so', async () => {
    const lines: string[] = [];
    const pool = new EnginePool((line) => lines.push(line));
    const size = await pool.use(choice(a, 1e9), 'sequence-classification', signal, (model) => Promise.resolve(bytesOf(model)));
    assert.ok(size > 1e6, `the weights' size on disk is the estimate (${size} bytes)`);
    // Room for one of the two models only.
    const budget = Math.round(size * 1.5);
    const result = await pool.use(choice(b, budget), 'question-answering', signal, (model) => Promise.resolve(model.engine.config.head));
    assert.equal(result, 'question-answering');
    assert.deepEqual(pool.openModels(), [b]);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /unloaded .*\/a \(least recently used; open models exceeded the \d+ MiB memory budget\)/);
  });

  it('keeps an engine per precision: an fp16 request never reuses the fp32 engine, and says what it ran', async () => {
    const pool = new EnginePool();
    const half = (): ModelChoice => ({ ...choice(a, 1e9), precision: 'fp16' });
    const full = await pool.use(choice(a, 1e9), 'sequence-classification', signal, (model) => Promise.resolve(model.engine));
    const asked = await pool.use(half(), 'sequence-classification', signal, (model) => Promise.resolve(model.engine));
    assert.notEqual(asked, full, 'fp16 opened its own engine');
    // On the CPU provider fp16 runs fp32, with the reason.
    assert.equal(full.precisionNote, undefined);
    assert.equal(asked.precision, 'fp32');
    assert.match(asked.precisionNote ?? '', /^fp16 not run: fp16 runs on GPU providers only; ran fp32\.$/);
    assert.equal(
      await pool.use(half(), 'sequence-classification', signal, (model) => Promise.resolve(model.engine)),
      asked,
      'the fp16 engine is reused',
    );
  });

  it('never unloads a model a running request uses', async () => {
    const pool = new EnginePool();
    const size = await pool.use(choice(a, 1e9), 'sequence-classification', signal, (model) => Promise.resolve(bytesOf(model)));
    const budget = Math.round(size * 1.5);
    await pool.use(choice(a, budget), 'sequence-classification', signal, async () => {
      // a is in use while b opens: both stay until a's request ends.
      await pool.use(choice(b, budget), 'question-answering', signal, () => Promise.resolve());
      assert.deepEqual(pool.openModels().sort(), [a, b].sort());
    });
    // The next request over budget unloads a, now idle and least recently used.
    await pool.use(choice(b, budget), 'question-answering', signal, () => Promise.resolve());
    assert.deepEqual(pool.openModels(), [b]);
  });
});
