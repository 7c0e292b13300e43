// Altered config.json files from a structured fuzz, through the CLI: each one exits 2 with one line naming the
// field, before any graph is built (the window cases used to crash graph building with a RangeError, exit 1).
import { strict as assert } from 'node:assert';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../support/run-cli';
import { copyFixture, tempDir } from '../unit/checkpoint/support/checkpoint-files';

describe('hostile configs through the CLI', function () {
  this.timeout(120_000);
  let root = '';
  before(async () => {
    root = await tempDir();
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  // qa-tiny: 64 positions, 2 layers.
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ attention_window: 1_048_576 }, /attention_window is 1048576, wider than max_position_embeddings \(64\)\./],
    [{ attention_window: 2 ** 53 }, /attention_window is 9007199254740992, wider than max_position_embeddings \(64\)\./],
    [{ attention_window: [6, 2 ** 53] }, /attention_window\[1\] is 9007199254740992, wider than max_position_embeddings \(64\)\./],
    [{ attention_dilation: [1, 2 ** 30] }, /attention_dilation\[1\] is 1073741824: with attention_window 6 it spans/],
    [{ max_position_embeddings: 2 }, /max_position_embeddings \(2\) leaves no position for a token/],
  ];
  for (const [change, pattern] of cases) {
    it(`info and run exit 2 with one line for ${JSON.stringify(change)}`, async () => {
      const folder = await copyFixture('qa-tiny', 'safetensors', await tempDirIn(root));
      const config = JSON.parse(await readFile(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
      await writeFile(join(folder, 'config.json'), JSON.stringify({ ...config, ...change }));
      const request = join(folder, 'request.json');
      await writeFile(request, JSON.stringify({ input_ids: [[0, 5, 6, 2, 2, 7, 8, 2]], outputs: ['start_logits'] }));
      for (const args of [
        ['info', '--model', folder],
        ['run', '--model', folder, '--provider', 'cpu', '--cache-dir', join(root, 'cache'), '--request', request],
      ]) {
        const { code, stderr } = await runCli(...args);
        assert.equal(code, 2, `${args[0]}: ${stderr}`);
        assert.equal(stderr.split('\n').length, 2, `${args[0]}: one line and its newline: ${stderr}`);
        assert.match(stderr, pattern);
      }
    });
  }
});

let counter = 0;
async function tempDirIn(root: string): Promise<string> {
  counter += 1;
  const dir = join(root, `case-${counter}`);
  await mkdir(dir);
  return dir;
}
