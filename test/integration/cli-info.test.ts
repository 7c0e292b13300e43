// `longformer-lens info` on every fixture in both weight formats, in process through main(), plus a real process
// for the exit code and the one-line error a shell sees.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointInfo } from '../../src/core/checkpoint/describe';
import { runCli } from '../support/run-cli';
import { copyFixture, FIXTURE_CASES, FIXTURES, tempDir } from '../unit/checkpoint/support/checkpoint-files';

const ROOT = join(__dirname, '..', '..');

const EXPECTED: Record<
  (typeof FIXTURE_CASES)[number],
  { architecture: string; head: string; labels: string[]; window: number[]; positions: number }
> = {
  'base-tiny': { architecture: 'LongformerModel', head: 'base', labels: [], window: [4, 8], positions: 80 },
  'cls-tiny': {
    architecture: 'LongformerForSequenceClassification',
    head: 'sequence-classification',
    labels: ['negative', 'neutral', 'positive'],
    window: [8, 8],
    positions: 64,
  },
  'qa-tiny': { architecture: 'LongformerForQuestionAnswering', head: 'question-answering', labels: [], window: [6, 6], positions: 64 },
};

describe('longformer-lens info', () => {
  let root: string;
  before(async () => {
    root = await tempDir();
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  for (const name of FIXTURE_CASES) {
    for (const format of ['safetensors', 'pytorch'] as const) {
      it(`describes ${name} (${format}) as text and as JSON`, async () => {
        const folder = await copyFixture(name, format, root);
        const expected = EXPECTED[name];
        const parameters = (JSON.parse(readFileSync(join(FIXTURES, name, 'reference.json'), 'utf8')) as { num_parameters: number })
          .num_parameters;

        const json = await runCli('info', '--model', folder, '--json');
        assert.equal(json.code, 0, json.stderr);
        assert.equal(json.stderr, '');
        const info = JSON.parse(json.stdout) as CheckpointInfo;
        assert.deepEqual(info, {
          folder,
          architecture: expected.architecture,
          head: expected.head,
          labels: expected.labels,
          layers: 2,
          hiddenSize: 32,
          attentionHeads: 4,
          intermediateSize: 64,
          attentionWindow: expected.window,
          attentionDilation: [1, 1],
          maxPositionEmbeddings: expected.positions,
          maxInputLength: expected.positions - 2,
          vocabSize: 120,
          parameterCount: parameters,
          weightFormat: format,
          weightFiles: [join(folder, format === 'safetensors' ? 'model.safetensors' : 'pytorch_model.bin')],
          weightDtype: 'F32',
          ignoredTensors: [],
          notes: [],
        });

        const text = await runCli('info', '--model', folder);
        assert.equal(text.code, 0, text.stderr);
        assert.match(text.stdout, new RegExp(`^architecture: +${expected.architecture}$`, 'm'));
        assert.match(text.stdout, new RegExp(`^head: +${expected.head}$`, 'm'));
        assert.match(text.stdout, new RegExp(`^attention window: +${expected.window.join(', ')}$`, 'm'));
        assert.match(text.stdout, new RegExp(`^parameters: +${parameters.toLocaleString('en-US')}$`, 'm'));
        assert.match(text.stdout, new RegExp(`^weights: +${format}, F32$`, 'm'));
        assert.match(text.stdout, /^layers: +2$/m);
        if (name === 'cls-tiny') assert.match(text.stdout, /^labels: +0=negative, 1=neutral, 2=positive$/m);
      });
    }
  }

  it('lists the tensors it leaves out and why, and says how the head was chosen', async () => {
    // A QA checkpoint whose config names no architectures: read as LongformerModel, as AutoModel reads it.
    const folder = await copyFixture('qa-tiny', 'safetensors', await mkdtemp(join(root, 'no-arch-')));
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
    delete config['architectures'];
    await writeFile(join(folder, 'config.json'), JSON.stringify(config));
    const text = await runCli('info', '--model', folder);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^head: +base$/m);
    assert.match(
      text.stdout,
      /^ignored: +qa_outputs\.bias, qa_outputs\.weight: the question-answering head's weights, which LongformerModel does not use$/m,
    );
    assert.match(
      text.stdout,
      /^note: +config\.json names no architectures, so the checkpoint is read as LongformerModel, as transformers' AutoModel reads it$/m,
    );
  });

  it('exits 2 with one line on stderr for a folder that does not exist or holds a bad config', async () => {
    const missing = await runCli('info', '--model', join(root, 'nowhere'));
    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /^longformer-lens: --model .*nowhere: no such folder\. .*\n$/);

    const folder = await copyFixture('qa-tiny', 'safetensors', await mkdtemp(join(root, 'bad-')));
    await writeFile(
      join(folder, 'config.json'),
      JSON.stringify({ architectures: ['LongformerForQuestionAnswering'], attention_window: 7, num_hidden_layers: 2 }),
    );
    const bad = await runCli('info', '--model', folder);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.split('\n').length, 2, 'one line and its newline');
    assert.match(bad.stderr, /config\.json: attention_window is 7; each attention window must be an even positive integer\./);
  });

  it('exits 2 from a real process, printing one line', function () {
    this.timeout(60_000);
    const result = spawnSync(
      process.execPath,
      ['-r', 'tsx/cjs', join(ROOT, 'src', 'cli', 'main.ts'), 'info', '--model', join(root, 'nowhere')],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /no such folder/);
  });
});
