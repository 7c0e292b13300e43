// --extend-positions through `run`, the document verbs and batch mode: inputs up to N tokens run as one window, inputs the checkpoint
// already takes give the same numbers as without it, the results say it is an approximation, and each N has its
// own cached graph.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oneWorkerBatch, runCli, runRequest } from '../support/run-cli';
import { writeTaskCheckpoint } from './support-checkpoint';

describe('--extend-positions', function () {
  this.timeout(300_000);
  let dir = '';
  let model = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lens-extend-'));
    model = join(dir, 'model');
    // 130 positions: the checkpoint takes 128 tokens.
    await writeTaskCheckpoint(model, 'sequence-classification', 11, { maxPositionEmbeddings: 130, labels: ['no', 'yes'] });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const request = async (length: number): Promise<string> => {
    const path = join(dir, `request-${length}.json`);
    const ids = [0, ...Array.from({ length: length - 2 }, (_, i) => 100 + (i % 50)), 2];
    await writeFile(path, JSON.stringify({ input_ids: [ids], outputs: ['logits'] }));
    return path;
  };
  const run = async (length: number, extend?: number): Promise<{ code: number; stderr: string; logits?: number[] }> => {
    const out = join(dir, `out-${length}-${extend ?? 0}.json`);
    const extra = extend === undefined ? [] : ['--extend-positions', String(extend)];
    const result = await runRequest({ model, request: await request(length), out, cacheDir: join(dir, 'cache') }, ...extra);
    if (result.code !== 0) return result;
    const response = JSON.parse(await readFile(out, 'utf8')) as { logits: { data: number[][] }; approximation?: string };
    assert.equal(response.approximation === undefined, extend === undefined, 'the response says when it is an approximation');
    return { ...result, logits: response.logits.data.flat() };
  };

  it('runs 300 tokens as one window with N = 512, and gives the same numbers as without it for 100 tokens', async () => {
    const refused = await run(300);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /Rows of 300 tokens are longer than the model takes \(128\)/);

    const long = await run(300, 512);
    assert.equal(long.code, 0, long.stderr);
    assert.equal(long.logits?.length, 2);
    assert.match(long.stderr, /approximation: position embeddings extended from 128 to 512 tokens by copying the learned ones/);

    const plain = await run(100);
    const extended = await run(100, 512);
    assert.equal(plain.code, 0, plain.stderr);
    assert.doesNotMatch(plain.stderr, /approximation/);
    plain.logits!.forEach((value, index) => assert.ok(Math.abs(value - extended.logits![index]!) <= 1e-5, `logit ${index}`));

    // One cached graph for the checkpoint as it is and one per N.
    await run(100, 256);
    assert.equal(readdirSync(join(dir, 'cache', 'onnx')).filter((name) => !name.includes('.tmp-')).length, 3);
  });

  it('classify reads a 300-token document as one chunk with N = 1024, and refuses N the model already takes', async () => {
    const document = join(dir, 'doc.txt');
    await writeFile(document, Array.from({ length: 60 }, (_, i) => `Sentence number ${i} is here.`).join(' '));
    const chunked = await runCli('classify', '--model', model, document, '--provider', 'cpu', '--threads', '1', '--json');
    assert.equal(chunked.code, 0, chunked.stderr);
    assert.ok((JSON.parse(chunked.stdout) as { chunks: unknown[] }).chunks.length > 1);
    const whole = await runCli(
      'classify',
      '--model',
      model,
      document,
      '--provider',
      'cpu',
      '--threads',
      '1',
      '--json',
      '--extend-positions',
      '1024',
    );
    assert.equal(whole.code, 0, whole.stderr);
    assert.equal((JSON.parse(whole.stdout) as { chunks: unknown[] }).chunks.length, 1);
    assert.match(whole.stderr, /approximation: position embeddings extended from 128 to 1024 tokens/);
    const info = await runCli('info', '--model', model, '--extend-positions', '1024');
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /^max positions: +1026$/m);
    assert.match(info.stdout, /^note: +approximation: position embeddings extended from 128 to 1024 tokens/m);
    const tooSmall = await runCli('classify', '--model', model, document, '--extend-positions', '100');
    assert.equal(tooSmall.code, 2);
    assert.match(tooSmall.stderr, /--extend-positions 100: expected a number of tokens above the model's 128/);
  });

  it('every document verb puts "approximation" in its JSON, and so does each batch line', async () => {
    const qa = join(dir, 'qa');
    const base = join(dir, 'base');
    await writeTaskCheckpoint(qa, 'question-answering', 12, { maxPositionEmbeddings: 130 });
    await writeTaskCheckpoint(base, 'base', 13, { maxPositionEmbeddings: 130 });
    const document = join(dir, 'verbs.txt');
    await writeFile(document, Array.from({ length: 40 }, (_, i) => `Line ${i} says the crew planted ${i} trees.`).join(' '));
    const verbs: Array<[string, string, string[]]> = [
      ['classify', model, []],
      ['ask', qa, ['--question', 'How many trees were planted?']],
      ['attend', base, []],
      ['embed', base, []],
    ];
    const common = ['--provider', 'cpu', '--threads', '1', '--json'];
    for (const [verb, checkpoint, extra] of verbs) {
      const plain = await runCli(verb, '--model', checkpoint, document, ...extra, ...common);
      assert.equal(plain.code, 0, `${verb}: ${plain.stderr}`);
      assert.equal((JSON.parse(plain.stdout) as { approximation?: string }).approximation, undefined, `${verb} without the flag`);
      const extended = await runCli(verb, '--model', checkpoint, document, ...extra, ...common, '--extend-positions', '512');
      assert.equal(extended.code, 0, `${verb}: ${extended.stderr}`);
      const json = JSON.parse(extended.stdout) as { approximation?: string };
      assert.match(json.approximation ?? '', /^position embeddings extended from 128 to 512 tokens by copying the learned ones/, verb);
    }

    // Batch mode runs in engine worker processes (dist/worker.js): the flag reaches them, and every line says so.
    execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build.mjs')], { cwd: join(__dirname, '..', '..') });
    const second = join(dir, 'verbs-2.txt');
    await writeFile(second, 'The crew planted trees by the river in May.');
    const out = join(dir, 'batch.jsonl');
    const batch = await runCli('classify', '--model', model, document, second, ...oneWorkerBatch(out), '--extend-positions', '512');
    assert.equal(batch.code, 0, batch.stderr);
    assert.match(batch.stderr, /approximation: position embeddings extended from 128 to 512 tokens/);
    const lines = (await readFile(out, 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { chunks: unknown[]; approximation?: string });
    assert.equal(lines.length, 2);
    for (const line of lines) {
      assert.match(line.approximation ?? '', /^position embeddings extended from 128 to 512 tokens/);
      assert.equal(line.chunks.length, 1, 'one window: the worker ran the extended graph');
    }
  });
});
