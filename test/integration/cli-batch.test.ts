// The batch form of the document verbs, through main() with real engine worker processes (dist/worker.js) on a
// synthetic checkpoint: one line per document with the single-file JSON, error lines with the single-file message,
// exit code 3 when some failed, and resuming by path and content hash.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli';
import { syntheticDocument } from '../unit/tasks/helpers';
import { writeTaskCheckpoint } from './support-checkpoint';

const ROOT = join(__dirname, '..', '..');

interface Line {
  readonly path: string;
  readonly sha256?: string;
  readonly error?: { code: string; message: string };
  readonly [field: string]: unknown;
}

function readLines(path: string): Line[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Line);
}

/** Numbers equal to 1e-4 (one worker thread against the in-process default may round the last digit apart). */
function assertClose(actual: unknown, expected: unknown, where = ''): void {
  if (typeof expected === 'number') {
    assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= 1e-4, `${where}: ${String(actual)} vs ${expected}`);
  } else if (typeof expected === 'object' && expected !== null) {
    assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), where);
    for (const [key, value] of Object.entries(expected)) assertClose((actual as Record<string, unknown>)[key], value, `${where}.${key}`);
  } else assert.equal(actual, expected, where);
}

describe('CLI batch mode', function () {
  this.timeout(300_000);
  let dir: string;
  let previousCache: string | undefined;
  let model: string;
  let docs: string;
  let out: string;
  const files: Record<string, string> = {};

  before(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
    dir = mkdtempSync(join(tmpdir(), 'lens-batch-'));
    previousCache = process.env['XDG_CACHE_HOME'];
    process.env['XDG_CACHE_HOME'] = join(dir, 'cache');
    model = join(dir, 'cls');
    await writeTaskCheckpoint(model, 'sequence-classification', 5, { labels: ['negative', 'positive'] });
    docs = join(dir, 'docs');
    mkdirSync(join(docs, 'sub', 'build'), { recursive: true });
    const put = (name: string, content: string | Buffer): void => {
      files[name] = join(docs, name);
      writeFileSync(files[name], content);
    };
    put('long.txt', syntheticDocument(60, 1));
    put('short.txt', 'The delivery arrived on time and the team was pleased.');
    put('sub/notes.txt', syntheticDocument(12, 2));
    put('sub/build/generated.txt', 'excluded by sub/.gitignore');
    put('sub/.gitignore', 'build/\n');
    put('empty.txt', '');
    put('binary.txt', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff]));
  });

  beforeEach(() => {
    out = join(dir, `out-${Math.random().toString(16).slice(2)}.jsonl`);
  });

  after(() => {
    if (previousCache === undefined) delete process.env['XDG_CACHE_HOME'];
    else process.env['XDG_CACHE_HOME'] = previousCache;
    rmSync(dir, { recursive: true, force: true });
  });

  it('classifies a folder into one line per document, the single-file JSON plus the path, on two workers', async () => {
    const missing = join(dir, 'missing.txt');
    const run = await runCli('classify', '--model', model, docs, missing, '--jsonl', out, '--workers', '2', '--provider', 'cpu');
    assert.equal(run.code, 3, run.stderr);
    assert.match(
      run.stderr,
      /3 documents done, 3 failed; [\d,]+ tokens in [\d.]+ s: [\d,]+ tokens\/s, [\d.]+ documents\/s \(2 workers x 1 thread\)/,
    );
    assert.match(run.stderr, /3 of 6 documents failed; their error lines are in .*\.jsonl\.$/m);
    const lines = readLines(out);
    const byPath = new Map(lines.map((line) => [line.path, line]));
    assert.deepEqual(
      [...byPath.keys()].sort(),
      [files['long.txt'], files['short.txt'], files['sub/notes.txt'], files['empty.txt'], files['binary.txt'], missing].sort(),
    );
    for (const name of ['long.txt', 'short.txt', 'sub/notes.txt']) {
      const single = await runCli('classify', '--model', model, files[name]!, '--json', '--provider', 'cpu');
      assert.equal(single.code, 0, single.stderr);
      const { path, sha256, ...shape } = byPath.get(files[name]!)!;
      assert.match(sha256!, /^[0-9a-f]{64}$/);
      assertClose(shape, JSON.parse(single.stdout), `${path}`);
    }
    // Bad documents: the single-file verb's message, for that path.
    for (const path of [files['empty.txt']!, files['binary.txt']!, missing]) {
      const single = await runCli('classify', '--model', model, path, '--provider', 'cpu');
      assert.equal(single.code, 2);
      assert.equal(`longformer-lens: ${byPath.get(path)!.error!.message}\n`, single.stderr);
    }
    assert.equal(byPath.get(missing)!.sha256, undefined);
  });

  it('resumes: a rerun skips what is done, redoes changed files and a line torn by an interruption', async () => {
    const first = await runCli('classify', '--model', model, docs, '--jsonl', out, '--provider', 'cpu', '--glob', '**/*.txt');
    assert.equal(first.code, 3, first.stderr);
    assert.equal(readLines(out).length, 5);

    const again = await runCli('classify', '--model', model, docs, '--jsonl', out, '--provider', 'cpu', '--glob', '**/*.txt');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /0 documents done, 5 already in/);
    assert.equal(readLines(out).length, 5);

    // An interrupted write leaves half a line: it is cut, and its document runs again.
    const text = readFileSync(out, 'utf8');
    const lastStart = text.lastIndexOf('\n', text.length - 2) + 1;
    truncateSync(out, Buffer.byteLength(text.slice(0, lastStart + 20)));
    const tornPath = (JSON.parse(text.slice(lastStart)) as Line).path;
    writeFileSync(files['short.txt']!, 'The delivery arrived late and the team was not pleased.');
    const resumed = await runCli('classify', '--model', model, docs, '--jsonl', out, '--provider', 'cpu', '--glob', '**/*.txt');
    const lines = readLines(out);
    const rerun = lines.slice(4).map((line) => line.path);
    assert.ok(rerun.includes(tornPath) && rerun.includes(files['short.txt']!), rerun.join(', '));
    assert.equal(lines.filter((line) => line.path === files['short.txt']).length, 2, 'the old result stays, the new one is added');
    assert.match(resumed.stderr, /already in/);
  });

  it('writes lines to stdout without --jsonl, runs ask the same way, and checks the model once', async () => {
    const run = await runCli('classify', '--model', model, files['short.txt']!, files['sub/notes.txt']!, '--provider', 'cpu');
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Line);
    assert.deepEqual(lines.map((line) => line.path).sort(), [files['short.txt'], files['sub/notes.txt']].sort());
    assert.ok(lines.every((line) => typeof line['label'] === 'string'));
    const quoted = await runCli('classify', '--model', model, `${docs}/sub/*.txt`, '--provider', 'cpu');
    assert.equal(quoted.code, 0, quoted.stderr);
    assert.deepEqual(
      quoted.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as Line).path),
      [files['sub/notes.txt']],
    );
    const qa = join(dir, 'qa');
    await writeTaskCheckpoint(qa, 'question-answering', 6);
    const asked = await runCli('ask', '--model', qa, docs, '--glob', '*.txt', '--question', 'Who was pleased?', '--provider', 'cpu');
    assert.equal(asked.code, 3, asked.stderr);
    const answers = asked.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Line);
    const short = answers.find((line) => line.path === files['short.txt'])!;
    assert.deepEqual(Object.keys(short).sort(), ['answers', 'no_answer', 'path', 'precision', 'provider', 'sha256']);
    const wrongHead = await runCli('ask', '--model', model, docs, '--question', 'Who?');
    assert.equal(wrongHead.code, 2);
    assert.match(wrongHead.stderr, /Question answering needs a model with a question-answering head/);
    const bad = await runCli('classify', '--model', model, docs, '--global', '0:3');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--global START:END names offsets in one document/);
  });

  it('embed prints the <s> and mean vectors of a base model, single-file and in batch lines alike', async () => {
    const base = join(dir, 'base');
    await writeTaskCheckpoint(base, 'base', 7);
    const single = await runCli('embed', '--model', base, files['long.txt']!, '--json', '--provider', 'cpu');
    assert.equal(single.code, 0, single.stderr);
    const json = JSON.parse(single.stdout) as { cls: number[]; mean: number[]; chunks: number; provider: string; precision: string };
    assert.deepEqual(Object.keys(json).sort(), ['chunks', 'cls', 'mean', 'precision', 'provider']);
    assert.equal(json.cls.length, 32, 'hidden size of the test checkpoint');
    assert.equal(json.mean.length, 32);
    assert.ok(json.chunks > 1, 'the long document needs several chunks');
    assert.notDeepEqual(json.cls, json.mean);
    const human = await runCli('embed', '--model', base, files['short.txt']!, '--provider', 'cpu');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^32 dimensions, 1 chunk, provider cpu, fp32\n<s> +\[-?\d\.\d{4}, /);

    const batch = await runCli('embed', '--model', base, files['long.txt']!, files['short.txt']!, '--jsonl', out, '--provider', 'cpu');
    assert.equal(batch.code, 0, batch.stderr);
    const line = readLines(out).find((candidate) => candidate.path === files['long.txt'])!;
    const { path, sha256, ...shape } = line;
    assert.ok(path !== undefined && sha256 !== undefined);
    assertClose(shape, json, 'embed line');
    const wrongHead = await runCli('embed', '--model', model, files['short.txt']!);
    assert.equal(wrongHead.code, 2);
    assert.match(wrongHead.stderr, /Embedding needs a model with a base head/);
  });

  it('classifies with zero-shot labels and with a trained head in batch, each line the single-file JSON', async () => {
    const mlm = join(dir, 'mlm');
    await writeTaskCheckpoint(mlm, 'masked-lm', 8);
    const documents = [files['short.txt']!, files['sub/notes.txt']!, files['long.txt']!];
    const zeroShot = ['--labels', 'delivery=delivery|parcel,music', '--template', 'Topic: <mask>.', '--no-calibration'];
    const batch = await runCli('classify', '--model', mlm, ...documents, ...zeroShot, '--jsonl', out, '--provider', 'cpu');
    assert.equal(batch.code, 0, batch.stderr);
    const lines = readLines(out);
    assert.equal(lines.length, 3);
    for (const line of lines) {
      const single = await runCli('classify', '--model', mlm, line.path, ...zeroShot, '--json', '--provider', 'cpu');
      assert.equal(single.code, 0, single.stderr);
      const { path, sha256, ...shape } = line;
      assert.match(sha256!, /^[0-9a-f]{64}$/);
      assertClose(shape, JSON.parse(single.stdout), path);
      assert.equal(line['method'], 'zero-shot');
      assert.equal(line['template'], 'Topic: <mask>.');
      assert.equal((line['calibration'] as { applied: boolean }).applied, false);
    }

    const examples = join(dir, 'examples');
    for (const [label, names] of [
      ['short', ['short.txt', 'sub/notes.txt']],
      ['long', ['long.txt']],
    ] as const) {
      mkdirSync(join(examples, label), { recursive: true });
      names.forEach((name, i) => writeFileSync(join(examples, label, `${i}.txt`), readFileSync(files[name]!)));
    }
    const head = join(dir, 'head');
    const trained = await runCli('train-head', '--model', mlm, '--examples', examples, '--out', head, '--provider', 'cpu');
    assert.equal(trained.code, 0, trained.stderr);
    const withHead = join(dir, 'with-head.jsonl');
    const headBatch = await runCli('classify', '--model', mlm, ...documents, '--head', head, '--jsonl', withHead, '--provider', 'cpu');
    assert.equal(headBatch.code, 0, headBatch.stderr);
    for (const line of readLines(withHead)) {
      const single = await runCli('classify', '--model', mlm, line.path, '--head', head, '--json', '--provider', 'cpu');
      const { path, sha256, ...shape } = line;
      assert.match(sha256!, /^[0-9a-f]{64}$/);
      assertClose(shape, JSON.parse(single.stdout), path);
      assert.equal(line['method'], 'trained-head');
      assert.deepEqual(Object.keys(line['probabilities'] as object), ['long', 'short']);
    }

    // Refused once, before any worker starts, with the single-file verb's words.
    const otherModel = await runCli('classify', '--model', model, docs, '--head', head);
    assert.equal(otherModel.code, 2);
    assert.match(otherModel.stderr, /the head .*head was trained on .*mlm \(LongformerForMaskedLM, .*\), not on .*cls/);
    const noMask = await runCli('classify', '--model', model, docs, '--labels', 'a,b');
    assert.equal(noMask.code, 2);
    assert.match(noMask.stderr, /Zero-shot classification \(--labels\) needs a model with a masked-lm head/);
    const badTemplate = await runCli('classify', '--model', mlm, docs, '--labels', 'a,b', '--template', 'no mask here');
    assert.equal(badTemplate.code, 2);
    assert.match(badTemplate.stderr, /the template must contain <mask> exactly once/);
    const both = await runCli('classify', '--model', mlm, docs, '--labels', 'a,b', '--head', head);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /two different methods/);
  });
});
