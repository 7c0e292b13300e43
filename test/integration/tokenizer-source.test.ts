// Checkpoints published without tokenizer files: the error says which repository to take them from, and
// `--tokenizer` takes a folder or a hub repository, whose tokenizer files alone are fetched into the cache, in the
// single-file verbs and in batch mode.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTokenizerArg } from '../../src/cli/model-arg';
import { loadTokenizer } from '../../src/core/tokenizer';
import { lensError } from '../support/lens-error';
import { FakeHub, fixtureRepo } from '../unit/hub/fake-hub';
import { oneWorkerBatch, runCli } from '../support/run-cli';
import { writeTaskCheckpoint } from './support-checkpoint';

const COMMIT = 'e'.repeat(8) + '0123456789abcdef0123456789abcdef';
const TOKENIZER_REPO = 'allenai/longformer-base-4096';
const BPE = join(__dirname, '..', 'fixtures', 'roberta-bpe');
const MODEL = join(__dirname, '..', 'fixtures', 'longformer-ref', 'qa-tiny');
const ROOT = join(__dirname, '..', '..');

describe('tokenizer files from elsewhere', function () {
  this.timeout(60_000);
  let hub: FakeHub;
  let root: string;
  beforeEach(async () => {
    hub = new FakeHub();
    hub.addRepo(fixtureRepo(TOKENIZER_REPO, COMMIT));
    await hub.start();
    root = await mkdtemp(join(tmpdir(), 'lens-tokenizer-'));
  });
  afterEach(async () => {
    await hub.close();
    await rm(root, { recursive: true, force: true });
  });

  it('names the repository to take the tokenizer from: the one config.json was fine-tuned from, else allenai/longformer-base-4096', async () => {
    const folder = join(root, 'bare');
    await mkdir(folder);
    await writeFile(join(folder, 'config.json'), JSON.stringify({ model_type: 'longformer' }));
    assert.throws(
      () => loadTokenizer(folder),
      lensError(
        'BAD_TOKENIZER',
        /has no tokenizer: neither tokenizer\.json nor vocab\.json with merges\.txt\. Take it from allenai\/longformer-base-4096\./,
      ),
    );
    await writeFile(
      join(folder, 'config.json'),
      JSON.stringify({ model_type: 'longformer', _name_or_path: 'valhalla/longformer-base-4096-finetuned-squadv1' }),
    );
    assert.throws(
      () => loadTokenizer(folder),
      (error: unknown) => {
        assert.match(String((error as Error).message), /Take it from valhalla\/longformer-base-4096-finetuned-squadv1\./);
        return true;
      },
    );
  });

  it('--tokenizer takes a folder, or a hub repository whose tokenizer files alone are downloaded', async () => {
    const bpeFolder = join(root, 'bpe');
    await mkdir(bpeFolder);
    for (const file of ['vocab.json', 'merges.txt']) copyFileSync(join(BPE, file), join(bpeFolder, file));
    assert.equal(await resolveTokenizerArg(bpeFolder, MODEL), bpeFolder);
    assert.equal(await resolveTokenizerArg(undefined, MODEL), MODEL);

    const cacheDir = join(root, 'cache');
    const options = { endpoint: hub.hubUrl, cacheDir, env: {}, token: null };
    const snapshot = await resolveTokenizerArg(TOKENIZER_REPO, MODEL, options);
    assert.equal(snapshot, join(cacheDir, 'models--allenai--longformer-base-4096', 'snapshots', COMMIT));
    assert.deepEqual(readdirSync(snapshot).sort(), ['merges.txt', 'special_tokens_map.json', 'tokenizer_config.json', 'vocab.json']);
    assert.ok(
      !hub.fileRequests().some((request) => /\/(config\.json|model\.safetensors|pytorch_model\.bin)$/.test(request.url)),
      'weights or config were fetched',
    );
    assert.equal(loadTokenizer(snapshot).vocabSize, loadTokenizer(BPE).vocabSize);
    // Offline, the same tokenizer comes from the cache.
    assert.equal(await resolveTokenizerArg(TOKENIZER_REPO, MODEL, { ...options, offline: true }), snapshot);
    await assert.rejects(
      resolveTokenizerArg('./no/such/folder', MODEL),
      lensError('NOT_FOUND', /--tokenizer \.\/no\/such\/folder: no such folder/),
    );
    assert.ok(existsSync(join(snapshot, 'vocab.json')));
  });

  it('tokenize --tokenizer DIR works for a checkpoint folder without tokenizer files', async () => {
    const run = await runCli('tokenize', '--model', MODEL, '--tokenizer', BPE, '--text', 'Hello world', '--json');
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { input_ids: number[] };
    assert.deepEqual(result.input_ids, [...loadTokenizer(BPE).withSpecials([loadTokenizer(BPE).tokenize('Hello world')]).ids]);
  });

  it('batch mode reads --tokenizer in its engine workers too', async function () {
    this.timeout(300_000);
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
    const model = join(root, 'cls');
    await writeTaskCheckpoint(model, 'sequence-classification', 31, { labels: ['no', 'yes'] });
    for (const file of readdirSync(model)) if (!/^(config\.json|model\.safetensors)$/.test(file)) await rm(join(model, file));
    const docs = join(root, 'docs');
    await mkdir(docs);
    await writeFile(join(docs, 'a.txt'), 'The crew replanted 14 hectares of wetland in May.');
    await writeFile(join(docs, 'b.txt'), 'The river rose two metres in March.');
    const out = join(root, 'out.jsonl');
    const saved = process.env['XDG_CACHE_HOME'];
    process.env['XDG_CACHE_HOME'] = join(root, 'xdg');
    try {
      const batch = oneWorkerBatch(out);
      const refused = await runCli('classify', '--model', model, docs, ...batch);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /has no tokenizer/);
      const run = await runCli('classify', '--model', model, docs, '--tokenizer', BPE, ...batch);
      assert.equal(run.code, 0, run.stderr);
    } finally {
      if (saved === undefined) delete process.env['XDG_CACHE_HOME'];
      else process.env['XDG_CACHE_HOME'] = saved;
    }
    const lines = readFileSync(out, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { label?: string });
    assert.equal(lines.length, 2);
    for (const line of lines) assert.ok(line.label === 'no' || line.label === 'yes', JSON.stringify(line));
  });
});
