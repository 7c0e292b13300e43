// `longformer-lens run`: a real child process for the success path and one failure (exit codes as a shell sees
// them), and the CLI's main() in process for the other failures, each with exit code 2 and a one-line reason.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flatten, type JsonTensor, maxAbsDiff, readReference } from '../support/reference';
import { runCli } from '../support/run-cli';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'longformer-ref');
const CLS = join(FIXTURES, 'cls-tiny');

function cli(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('CLI: longformer-lens run', function () {
  this.timeout(180_000);
  let dir = '';
  const reference = readReference('cls-tiny').inputs;
  const omitted = reference.find((input) => input.name === 'b2_pad_30_19_global_omitted');
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lens-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const common = (): string[] => ['--model', CLS, '--provider', 'cpu', '--threads', '1', '--cache-dir', join(dir, 'cache')];

  it('writes the requested outputs, the provider and the default global mask (child process)', async () => {
    assert.ok(omitted !== undefined);
    const requestPath = join(dir, 'request.json');
    await writeFile(
      requestPath,
      JSON.stringify({
        input_ids: omitted.input_ids,
        attention_mask: omitted.attention_mask,
        outputs: ['logits', 'attentions', 'global_attentions'],
      }),
    );
    const outPath = join(dir, 'response.json');
    const result = cli(['run', ...common(), '--request', requestPath, '--out', outPath]);
    assert.equal(result.status, 0, result.stderr);
    const response = JSON.parse(await readFile(outPath, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(response).sort(), [
      'attentions',
      'global_attention_mask',
      'global_attentions',
      'logits',
      'precision',
      'provider',
    ]);
    assert.equal(response['provider'], 'cpu');
    assert.equal(response['precision'], 'fp32');
    assert.deepEqual(response['global_attention_mask'], omitted.derived_global_attention_mask);
    const [logits, expected] = [response['logits'] as JsonTensor, omitted.outputs.logits];
    assert.deepEqual(logits.shape, expected?.shape);
    assert.ok(maxAbsDiff(flatten(logits.data), flatten(expected?.data), 'logits') <= 1e-4);
    const attentions = response['attentions'] as { shape: number[] }[];
    assert.deepEqual(
      attentions.map((layer) => layer.shape),
      omitted.outputs.attentions.map((layer) => layer.shape),
    );
    assert.deepEqual(
      (response['global_attentions'] as { shape: number[] }[]).map((layer) => layer.shape),
      omitted.outputs.global_attentions?.map((layer) => layer.shape),
    );
  });

  it('exits with 2 and a reason for an unknown output name (child process)', async () => {
    const requestPath = join(dir, 'unknown-output.json');
    await writeFile(requestPath, JSON.stringify({ input_ids: [[0, 5, 2]], outputs: ['logits', 'hidden_states'] }));
    const result = cli(['run', ...common(), '--request', requestPath]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /Unknown output "hidden_states"/);
    assert.equal(result.stdout, '');
  });

  const failures: [string, unknown, RegExp][] = [
    [
      'an id outside the vocabulary',
      { input_ids: [[0, 500, 2]], outputs: ['logits'] },
      /input_ids\[0\]\[1\] = 500 is outside the vocabulary/,
    ],
    [
      'ragged rows',
      {
        input_ids: [
          [0, 5, 2],
          [0, 2],
        ],
        outputs: ['logits'],
      },
      /ragged/,
    ],
    [
      'a row longer than the model takes',
      { input_ids: [new Array<number>(70).fill(5)], outputs: ['logits'] },
      /70 tokens are longer than the model takes \(62\)/,
    ],
    ['an output the head does not have', { input_ids: [[0, 5, 2]], outputs: ['start_logits'] }, /no output "start_logits"/],
    ['a mask of another shape', { input_ids: [[0, 5, 2]], attention_mask: [[1, 1]], outputs: ['logits'] }, /attention_mask" is 1 × 2/],
  ];
  for (const [label, request, reason] of failures) {
    it(`exits with 2 for ${label}`, async () => {
      const requestPath = join(dir, 'bad.json');
      await writeFile(requestPath, JSON.stringify(request));
      const { code, stderr } = await runCli('run', ...common(), '--request', requestPath);
      assert.equal(code, 2);
      assert.match(stderr, reason);
    });
  }

  it('exits with 2 for a missing or invalid request file, an unknown provider or precision and bad --threads', async () => {
    const invalid = join(dir, 'invalid.json');
    await writeFile(invalid, '{"input_ids": [[0, 2]');
    const cases: [string[], RegExp][] = [
      [['run', ...common(), '--request', join(dir, 'missing.json')], /cannot read the file/],
      [['run', ...common(), '--request', invalid], /not valid JSON/],
      [['run', '--model', CLS, '--request', invalid, '--provider', 'tpu'], /unknown provider/],
      [['run', '--model', CLS, '--request', invalid, '--threads', 'two'], /--threads two: expected a positive integer/],
      [
        ['run', '--model', CLS, '--request', invalid, '--precision', 'fp64'],
        /--precision fp64: unknown precision; choose one of fp32, fp16, int8/,
      ],
    ];
    for (const [args, reason] of cases) {
      const { code, stderr } = await runCli(...args);
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, reason);
    }
  });
});
