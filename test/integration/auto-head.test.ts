// Configs without `architectures` (the 2020 uploads): transformers' Auto classes never read that field, each task's
// class builds its own head. Each verb does the same: `ask` reads the checkpoint as LongformerForQuestionAnswering,
// `classify --labels` as LongformerForMaskedLM, `run --head H` with H, `info` and `embed` as LongformerModel; the
// numbers are the named checkpoint's (and HuggingFace's), `info` says which verb reads which head, and weights that
// lack the task's head are refused with the reason.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flatten, readReference } from '../support/reference';
import { copyFixture } from '../unit/checkpoint/support/checkpoint-files';
import { oneWorkerBatch, runCli } from '../support/run-cli';
import { writeTaskCheckpoint } from './support-checkpoint';

const ROOT = join(__dirname, '..', '..');

/** A copy of the folder whose config.json has no `architectures`, as the 2020 uploads have it. */
async function withoutArchitectures(folder: string): Promise<string> {
  const copy = `${folder}-unnamed`;
  await cp(folder, copy, { recursive: true });
  const path = join(copy, 'config.json');
  const config = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  delete config['architectures'];
  await writeFile(path, JSON.stringify(config));
  return copy;
}

const CPU = ['--provider', 'cpu', '--threads', '1'];

describe('configs without architectures: each verb chooses the head as its Auto class would', function () {
  this.timeout(300_000);
  let dir = '';
  let saved: string | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lens-auto-head-'));
    saved = process.env['XDG_CACHE_HOME'];
    process.env['XDG_CACHE_HOME'] = join(dir, 'cache');
  });
  after(async () => {
    if (saved === undefined) delete process.env['XDG_CACHE_HOME'];
    else process.env['XDG_CACHE_HOME'] = saved;
    await rm(dir, { recursive: true, force: true });
  });

  it('run --head question-answering gives HuggingFace start/end logits; without it the bare model has none', async () => {
    const named = await copyFixture('qa-tiny', 'safetensors', await mkdtemp(join(dir, 'qa-')));
    const folder = await withoutArchitectures(named);
    const inputs = readReference('qa-tiny').inputs;
    for (const input of inputs.slice(0, 3)) {
      const request = join(dir, `${input.name}.json`);
      await writeFile(
        request,
        JSON.stringify({
          input_ids: input.input_ids,
          attention_mask: input.attention_mask,
          ...(input.global_attention_mask === null ? {} : { global_attention_mask: input.global_attention_mask }),
          outputs: ['start_logits', 'end_logits'],
        }),
      );
      const run = await runCli('run', '--model', folder, '--request', request, '--head', 'question-answering', ...CPU);
      assert.equal(run.code, 0, run.stderr);
      const response = JSON.parse(run.stdout) as Record<string, { data: unknown }>;
      for (const name of ['start_logits', 'end_logits'] as const) {
        const expected = flatten(input.outputs[name]!.data);
        const actual = flatten(response[name]!.data);
        assert.equal(actual.length, expected.length);
        actual.forEach((value, i) => assert.ok(Math.abs(value - expected[i]!) <= 1e-4, `${input.name} ${name}[${i}]`));
      }
    }
    const request = join(dir, `${inputs[0]!.name}.json`);
    const bare = await runCli('run', '--model', folder, '--request', request, ...CPU);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /start_logits/);
    const wrong = await runCli('run', '--model', named, '--request', request, '--head', 'masked-lm', ...CPU);
    assert.equal(wrong.code, 2);
    assert.match(
      wrong.stderr,
      /--head masked-lm: config\.json names LongformerForQuestionAnswering \(question-answering\); --head applies only/,
    );
  });

  it('info reads it as LongformerModel (AutoModel) and says which verb reads the head its weights hold', async () => {
    const folder = await withoutArchitectures(await copyFixture('qa-tiny', 'pytorch', await mkdtemp(join(dir, 'info-'))));
    const info = await runCli('info', '--model', folder);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /^architecture: +LongformerModel$/m);
    assert.match(
      info.stdout,
      /^note: +config\.json names no architectures, so the checkpoint is read as LongformerModel, as transformers' AutoModel reads it$/m,
    );
    assert.match(
      info.stdout,
      /^note: +the weights also hold a question-answering head: `ask` reads the checkpoint as LongformerForQuestionAnswering, as AutoModelForQuestionAnswering does$/m,
    );
  });

  it("ask and classify --labels give the named checkpoint's results; classify refuses weights without a classifier", async () => {
    const qa = join(dir, 'qa-synthetic');
    const mlm = join(dir, 'mlm-synthetic');
    await writeTaskCheckpoint(qa, 'question-answering', 21);
    await writeTaskCheckpoint(mlm, 'masked-lm', 22);
    const document = join(dir, 'report.txt');
    await writeFile(document, 'The crew replanted 14 hectares of wetland in May, after the reed canary grass was cut back.');
    const ask = (model: string): Promise<{ code: number; stdout: string; stderr: string }> =>
      runCli('ask', '--model', model, document, '--question', 'How many hectares?', '--top-k', '3', '--json', ...CPU);
    const unnamedQa = await withoutArchitectures(qa);
    const [fromNamed, fromUnnamed] = [await ask(qa), await ask(unnamedQa)];
    assert.equal(fromUnnamed.code, 0, fromUnnamed.stderr);
    assert.deepEqual(JSON.parse(fromUnnamed.stdout), JSON.parse(fromNamed.stdout));

    const zeroShot = (model: string): Promise<{ code: number; stdout: string; stderr: string }> =>
      runCli('classify', '--model', model, document, '--labels', 'nature,money', '--json', ...CPU);
    const [labelsNamed, labelsUnnamed] = [await zeroShot(mlm), await zeroShot(await withoutArchitectures(mlm))];
    assert.equal(labelsUnnamed.code, 0, labelsUnnamed.stderr);
    assert.deepEqual(JSON.parse(labelsUnnamed.stdout), JSON.parse(labelsNamed.stdout));

    // AutoModelForSequenceClassification would start a classifier from random weights; the verb refuses instead.
    const refused = await runCli('classify', '--model', unnamedQa, document, ...CPU);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /does not fit LongformerForSequenceClassification as config\.json describes it: missing 4 tensor\(s\): classifier\./,
    );
    assert.match(
      refused.stderr,
      /config\.json names no architectures, so this task reads the checkpoint as LongformerForSequenceClassification, as transformers' AutoModelForSequenceClassification would/,
    );
  });

  it('batch ask reads it with the question-answering head in the engine workers', async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
    const qa = await withoutArchitectures(join(dir, 'qa-synthetic'));
    const docs = join(dir, 'docs');
    await cp(join(dir, 'report.txt'), join(docs, 'a.txt'), { recursive: true });
    await writeFile(join(docs, 'b.txt'), 'The river rose two metres in March.');
    const out = join(dir, 'answers.jsonl');
    const batch = await runCli('ask', '--model', qa, docs, '--question', 'How much?', ...oneWorkerBatch(out));
    assert.equal(batch.code, 0, batch.stderr);
    const lines = (await readFile(out, 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { answers?: unknown[] });
    assert.equal(lines.length, 2);
    for (const line of lines) assert.ok(Array.isArray(line.answers) && line.answers.length > 0, JSON.stringify(line));
  });
});
