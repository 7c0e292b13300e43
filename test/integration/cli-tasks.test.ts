// The tokenize / classify / ask / attend verbs run in process through main(), on synthetic checkpoints with the
// fixture tokenizer. Checks the JSON shapes, that answers point into the document, and that bad input exits 2 with
// one line on stderr.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticDocument } from '../unit/tasks/helpers';
import { TEST_PROVIDER } from '../support/provider';
import { expectBadInput, runCli } from '../support/run-cli';
import { FIXTURE_TOKENIZER, writeTaskCheckpoint } from './support-checkpoint';

/** The engine suites' provider: the CPU in `npm test`, WebGPU in `npm run test:webgpu`. */
const ON_TEST_PROVIDER = ['--provider', TEST_PROVIDER];

describe('CLI document verbs', function () {
  this.timeout(300_000);
  let dir: string;
  let previousCache: string | undefined;
  const paths = { cls: '', qa: '', base: '', mlm: '', doc: '', empty: '', blank: '', binary: '' };
  const document = `${syntheticDocument(40, 4)}\n\nThe zebra crossing is near the station.\n\n${syntheticDocument(40, 5)}\n`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lens-cli-'));
    previousCache = process.env['XDG_CACHE_HOME'];
    process.env['XDG_CACHE_HOME'] = join(dir, 'cache');
    paths.cls = join(dir, 'cls');
    paths.qa = join(dir, 'qa');
    paths.base = join(dir, 'base');
    await writeTaskCheckpoint(paths.cls, 'sequence-classification', 1, { labels: ['negative', 'neutral', 'positive'] });
    await writeTaskCheckpoint(paths.qa, 'question-answering', 2);
    await writeTaskCheckpoint(paths.base, 'base', 3);
    paths.mlm = join(dir, 'mlm');
    await writeTaskCheckpoint(paths.mlm, 'masked-lm', 4);
    paths.doc = join(dir, 'doc.txt');
    writeFileSync(paths.doc, document);
    paths.empty = join(dir, 'empty.txt');
    writeFileSync(paths.empty, '');
    paths.blank = join(dir, 'blank.txt');
    writeFileSync(paths.blank, '  \n\t\n');
    paths.binary = join(dir, 'binary.bin');
    writeFileSync(paths.binary, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff]));
  });

  after(() => {
    if (previousCache === undefined) delete process.env['XDG_CACHE_HOME'];
    else process.env['XDG_CACHE_HOME'] = previousCache;
    rmSync(dir, { recursive: true, force: true });
  });

  it('tokenize --json prints ids and offsets with <s> and </s>', async () => {
    const run = await runCli('tokenize', '--model', FIXTURE_TOKENIZER, '--text', 'Hello world', '--json');
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      input_ids: [0, 15500, 999, 2],
      offsets: [
        [0, 0],
        [0, 5],
        [6, 11],
        [0, 0],
      ],
    });
    const human = await runCli('tokenize', '--model', FIXTURE_TOKENIZER, '--file', paths.doc);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^ *# +id +token +line:col +UTF-16 +text$/m);
    assert.match(human.stdout, /Ġcrossing +\d+:\d+ +\d+-\d+ {2}"crossing"/);
    expectBadInput(await runCli('tokenize', '--model', FIXTURE_TOKENIZER), /exactly one of --text and --file/);
    expectBadInput(await runCli('tokenize', '--model', dir, '--text', 'x'), /no tokenizer/);
  });

  it('classify --json has the documented shape; spans and phrases add global tokens', async () => {
    const at = document.indexOf('zebra');
    const run = await runCli(
      'classify',
      '--model',
      paths.cls,
      paths.doc,
      '--json',
      ...ON_TEST_PROVIDER,
      '--global',
      `${at}:${at + 5}`,
      '--global-text',
      'station',
    );
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json).sort(), [
      'chunks',
      'global_tokens',
      'label',
      'logits',
      'method',
      'precision',
      'probabilities',
      'provider',
    ]);
    assert.equal(json['method'], 'fine-tuned-head');
    const probabilities = json['probabilities'] as Record<string, number>;
    assert.deepEqual(Object.keys(probabilities), ['negative', 'neutral', 'positive']);
    assert.ok(Math.abs(Object.values(probabilities).reduce((a, b) => a + b) - 1) < 1e-4);
    assert.equal(json['label'], Object.entries(probabilities).sort((a, b) => b[1] - a[1])[0]![0]);
    const chunks = json['chunks'] as Array<{ start: number; end: number; probabilities: Record<string, number> }>;
    assert.ok(chunks.length > 1, 'the document should need several chunks');
    assert.ok(chunks.every((c, i) => c.start < c.end && (i === 0 || c.start < chunks[i - 1]!.end)));
    assert.ok((json['global_tokens'] as number) >= 2);
    assert.equal(json['provider'], TEST_PROVIDER);
    assert.equal(json['precision'], 'fp32');
    assert.equal((json['logits'] as number[]).length, 3);
    const human = await runCli('classify', '--model', paths.cls, paths.doc, ...ON_TEST_PROVIDER);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^(negative|neutral|positive) +\d\.\d{3} +[█░]{20}$/m);
    assert.match(human.stdout, new RegExp(`^\\d+ chunks, \\d+ global tokens from spans, provider ${TEST_PROVIDER}, fp32$`, 'm'));
    if (TEST_PROVIDER === 'cpu') {
      // The table says which precision ran, as --json does.
      const int8 = await runCli('classify', '--model', paths.cls, paths.doc, '--provider', 'cpu', '--precision', 'int8');
      assert.equal(int8.code, 0, int8.stderr);
      assert.match(int8.stdout, /^\d+ chunks, 0 global tokens from spans, provider cpu, int8$/m);
    }
  });

  it('ask --json returns answers that are slices of the document', async () => {
    const run = await runCli(
      'ask',
      '--model',
      paths.qa,
      paths.doc,
      '--question',
      'Where is the zebra crossing?',
      '--top-k',
      '3',
      '--json',
      ...ON_TEST_PROVIDER,
    );
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as {
      answers: Array<{ text: string; start: number; end: number; score: number; chunk: number }>;
      no_answer: boolean;
      provider: string;
    };
    assert.deepEqual(Object.keys(json).sort(), ['answers', 'no_answer', 'precision', 'provider']);
    assert.equal(json.provider, TEST_PROVIDER);
    assert.equal(typeof json.no_answer, 'boolean');
    assert.ok(json.answers.length >= 1 && json.answers.length <= 3);
    for (const a of json.answers) {
      assert.equal(document.slice(a.start, a.end), a.text);
      assert.ok(a.score > 0 && a.score <= 1);
    }
    const human = await runCli('ask', '--model', paths.qa, paths.doc, '--question', 'Where?', ...ON_TEST_PROVIDER);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^# +score +line:col +UTF-16 +answer$/m);
    assert.match(human.stdout, /^1 +\d\.\d+(e-\d+)? +\d+:\d+ +\d+-\d+ +"/m);
  });

  it('attend --json gives one score per token for a layer and head', async () => {
    const run = await runCli('attend', '--model', paths.base, paths.doc, '--layer', '1', '--head', '0', '--json', ...ON_TEST_PROVIDER);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as {
      tokens: Array<{ start: number; end: number }>;
      global_positions: number[];
      scores: number[];
      layer: number;
      head: number;
      mode: string;
    };
    assert.equal(json.tokens.length, json.scores.length);
    assert.equal(json.layer, 1);
    assert.equal(json.head, 0);
    assert.equal(json.mode, 'global');
    assert.ok(json.scores.every((s) => Number.isFinite(s) && s >= 0));
    const at = document.indexOf('zebra');
    const token = await runCli(
      'attend',
      '--model',
      paths.base,
      paths.doc,
      '--mode',
      'token',
      '--at',
      String(at),
      '--global-text',
      'station',
      ...ON_TEST_PROVIDER,
    );
    assert.equal(token.code, 0, token.stderr);
    assert.match(token.stdout, /token attention, layer mean, head mean/);
    // The token holding the --at character is named, with where it is (the fixture tokenizer splits "zebra").
    assert.match(token.stdout, new RegExp(`^from token \\d+ "z(ebra)?" at 15:5 \\(UTF-16 ${at}-(${at + 1}|${at + 5})\\)$`, 'm'));
  });

  it('classify --labels: zero-shot on a masked-LM checkpoint, with the method, template and calibration in the output', async () => {
    const run = await runCli('classify', '--model', paths.mlm, paths.doc, '--labels', 'law=law|legal,music', '--json', '--provider', 'cpu');
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(json['method'], 'zero-shot');
    assert.equal(json['template'], 'This document is about <mask>.');
    assert.deepEqual(Object.keys(json['probabilities'] as object), ['law', 'music']);
    const calibration = json['calibration'] as { applied: boolean; input: string; probabilities: Record<string, number> };
    assert.equal(calibration.applied, true);
    assert.equal(calibration.input, 'N/A');
    const text = await runCli(
      'classify',
      '--model',
      paths.mlm,
      paths.doc,
      '--labels',
      'law,music',
      '--template',
      'Topic: <mask>',
      '--no-calibration',
    );
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /method: zero-shot labels\ntemplate: "Topic: <mask>"\nnot calibrated/);
    expectBadInput(await runCli('classify', '--model', paths.mlm, paths.doc), /no classification head\. Give --labels/);
    expectBadInput(await runCli('classify', '--model', paths.mlm, paths.doc, '--labels', 'law'), /only one label/);
    expectBadInput(await runCli('classify', '--model', paths.mlm, paths.doc, '--labels', 'law, ,music'), /empty entry/);
    expectBadInput(await runCli('classify', '--model', paths.mlm, paths.doc, '--labels', 'a,b', '--template', 'no mask'), /exactly once/);
    expectBadInput(await runCli('classify', '--model', paths.cls, paths.doc, '--labels', 'a,b'), /masked-lm head/);
    expectBadInput(await runCli('classify', '--model', paths.cls, paths.doc, '--template', 'x <mask>'), /go with --labels/);
  });

  it('bad input exits 2 with one line', async () => {
    expectBadInput(await runCli('classify', '--model', paths.cls, paths.empty), /is empty/);
    expectBadInput(await runCli('classify', '--model', paths.cls, paths.blank), /only whitespace/);
    expectBadInput(await runCli('classify', '--model', paths.cls, paths.binary), /binary|UTF-8/);
    expectBadInput(
      await runCli('classify', '--model', paths.cls, paths.doc, '--global', `0:${document.length + 1}`),
      /outside the document/,
    );
    expectBadInput(await runCli('classify', '--model', paths.cls, paths.doc, '--global', 'abc'), /START:END/);
    expectBadInput(await runCli('classify', '--model', paths.cls, paths.doc, '--global-text', 'no such phrase'), /does not occur/);
    expectBadInput(await runCli('ask', '--model', paths.cls, paths.doc, '--question', 'Why?'), /question-answering head/);
    expectBadInput(await runCli('classify', '--model', paths.qa, paths.doc), /has no classification head/);
    expectBadInput(await runCli('ask', '--model', paths.qa, paths.doc, '--question', '   '), /question is empty/);
    expectBadInput(await runCli('attend', '--model', paths.base, paths.doc, '--layer', '7'), /layer 7 does not exist/);
    expectBadInput(await runCli('classify', '--model', paths.cls, join(dir, 'missing.txt')), /no such file/);
    expectBadInput(await runCli('classify', '--model', paths.cls, paths.doc, '--max-length', '100000'), /model's limit/);
    expectBadInput(await runCli('classify', '--model', paths.doc, paths.doc), /--model .*doc\.txt is a file, not a folder/);
    // Argument-parser errors read like every other error: one line, the prefix, and where the usage is.
    expectBadInput(
      await runCli('classify', '--model', paths.cls, paths.doc, '--modle', 'x'),
      /^longformer-lens: unknown option '--modle' \(Did you mean --model\?\) \(see longformer-lens classify --help\)$/m,
    );
    expectBadInput(
      await runCli('ask', '--model', paths.qa, paths.doc),
      /^longformer-lens: required option '--question <text>' not specified/,
    );
    expectBadInput(
      await runCli('clasify'),
      /^longformer-lens: unknown command 'clasify' \(Did you mean classify\?\) \(see longformer-lens --help\)$/m,
    );
  });
});
