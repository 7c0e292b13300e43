// train-head and classify --head through the CLI, on a random-weight checkpoint and real text nobody here wrote
// (test/fixtures/text-families: license texts, Python standard-library source, Debian changelogs; the held-out
// files come from other documents than the training files). Random weights still carry token identity, so a linear
// head on the document embeddings separates the families.
import { strict as assert } from 'node:assert';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyWithHead } from '../../src/core/head/classify-with-head';
import { loadHead } from '../../src/core/head/head-file';
import { documentFeatures } from '../../src/core/head/train-head';
import { openEngine } from '../../src/core/runtime/open';
import { embed } from '../../src/core/tasks/embed';
import { softmax } from '../../src/core/tasks/math';
import { loadTokenizer } from '../../src/core/tokenizer';
import { expectBadInput, runCli } from '../support/run-cli';
import { FIXTURE_TOKENIZER, writeTaskCheckpoint } from './support-checkpoint';

const FAMILIES = join(__dirname, '..', 'fixtures', 'text-families');

interface TrainJson {
  labels: string[];
  embedded: number;
  from_cache: number;
  files: Record<string, number>;
  skipped: Array<{ path: string; reason: string }>;
  cross_validation: { folds: number; accuracy: number; confusion: number[][] } | null;
  more_files_needed: Record<string, number>;
}

const CPU = ['--provider', 'cpu'];

describe('train-head and classify --head', function () {
  this.timeout(600_000);
  let dir: string;
  let previousCache: string | undefined;
  let model: string;
  let head: string;
  let trained: TrainJson;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lens-head-'));
    previousCache = process.env['XDG_CACHE_HOME'];
    process.env['XDG_CACHE_HOME'] = join(dir, 'cache');
    model = join(dir, 'model');
    await writeTaskCheckpoint(model, 'masked-lm', 31, { maxPositionEmbeddings: 258, attentionWindow: 32 });
    head = join(dir, 'head');
    const run = await runCli('train-head', '--model', model, '--examples', join(FAMILIES, 'train'), '--out', head, '--json', ...CPU);
    assert.equal(run.code, 0, run.stderr);
    trained = JSON.parse(run.stdout) as TrainJson;
  });

  after(() => {
    if (previousCache === undefined) delete process.env['XDG_CACHE_HOME'];
    else process.env['XDG_CACHE_HOME'] = previousCache;
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports cross-validated accuracy and a confusion matrix, and saves exactly head.safetensors and head.json', () => {
    assert.deepEqual(trained.labels, ['changelog', 'license', 'python']);
    assert.deepEqual(trained.files, { changelog: 6, license: 6, python: 6 });
    assert.equal(trained.embedded, 18);
    const cv = trained.cross_validation!;
    assert.equal(cv.folds, 5);
    assert.equal(
      cv.confusion.flat().reduce((a, b) => a + b),
      18,
    );
    process.stdout.write(`      (cross-validated accuracy ${cv.accuracy})\n`);
    assert.ok(cv.accuracy >= 0.8, `cross-validated accuracy ${cv.accuracy}`);
    assert.deepEqual(readdirSync(head).sort(), ['head.json', 'head.safetensors']);
    const json = JSON.parse(readFileSync(join(head, 'head.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    assert.deepEqual(json['labels'], ['changelog', 'license', 'python']);
    assert.deepEqual(json['features'], { recipe: 'cls+mean', dims: 64 });
    assert.equal(json['base_model']!['id'], model);
    assert.match(String(json['base_model']!['config_sha256']), /^[0-9a-f]{64}$/);
    assert.equal((json['training']!['cross_validation'] as { accuracy: number }).accuracy, cv.accuracy);
  });

  it('classifies held-out files from other documents: at least 8 of 9 right', async () => {
    let right = 0;
    const wrong: string[] = [];
    for (const family of ['changelog', 'license', 'python']) {
      for (const file of readdirSync(join(FAMILIES, 'held-out', family))) {
        const run = await runCli('classify', '--model', model, '--head', head, join(FAMILIES, 'held-out', family, file), '--json', ...CPU);
        assert.equal(run.code, 0, run.stderr);
        const json = JSON.parse(run.stdout) as { label: string; method: string; chunks: unknown[] };
        assert.equal(json.method, 'trained-head');
        assert.ok(json.chunks.length > 1, 'the held-out files are longer than one input');
        if (json.label === family) right += 1;
        else wrong.push(`${family}/${file} -> ${json.label}`);
      }
    }
    process.stdout.write(`      (held-out accuracy ${right}/9${wrong.length > 0 ? `; wrong: ${wrong.join(', ')}` : ''})\n`);
    assert.ok(right >= 8, `${right}/9 right; wrong: ${wrong.join(', ')}`);
  });

  it("classify --head is the saved weights applied to the document embedding (and to each chunk's own)", async () => {
    const trainedHead = await loadHead(head);
    const engine = await openEngine(model, { provider: 'cpu' });
    try {
      const text = readFileSync(join(FAMILIES, 'held-out', 'license', 'mpl-2-0-2.txt'), 'utf8');
      const result = await classifyWithHead(engine, loadTokenizer(model), text, trainedHead);
      const embedding = await embed(engine, loadTokenizer(model), text);
      const { weight, bias, dims } = trainedHead.head;
      const apply = (features: Float32Array): number[] =>
        [...bias].map((b, c) => features.reduce((sum, f, d) => sum + f * weight[c * dims + d]!, b));
      const expected = softmax(apply(documentFeatures(embedding)));
      expected.forEach((p, i) => assert.ok(Math.abs(result.probabilities[i]! - p) < 1e-5));
      assert.equal(result.chunks.length, embedding.chunkEmbeddings.length);
      embedding.chunkEmbeddings.forEach((chunk, k) => {
        softmax(apply(documentFeatures(chunk))).forEach((p, i) => assert.ok(Math.abs(result.chunks[k]!.probabilities[i]! - p) < 1e-5));
      });
    } finally {
      await engine.dispose();
    }
  });

  it('retraining embeds only new files and gives the same head from the same files', async () => {
    const examples = join(dir, 'examples');
    cpSync(join(FAMILIES, 'train'), examples, { recursive: true });
    const again = join(dir, 'again');
    const run = await runCli('train-head', '--model', model, '--examples', examples, '--out', again, '--json', ...CPU);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as TrainJson;
    assert.equal(json.embedded, 0);
    assert.equal(json.from_cache, 18);
    assert.deepEqual(readFileSync(join(again, 'head.safetensors')), readFileSync(join(head, 'head.safetensors')));
    cpSync(join(FAMILIES, 'held-out', 'python', 'textwrap-py-1.txt'), join(examples, 'python', 'textwrap-py-1.txt'));
    const added = JSON.parse(
      (await runCli('train-head', '--model', model, '--examples', examples, '--out', again, '--json', ...CPU)).stdout,
    ) as TrainJson;
    assert.equal(added.embedded, 1);
    assert.equal(added.from_cache, 18);
  });

  it('skips and reports binary and empty files', async () => {
    const examples = join(dir, 'with-binary');
    cpSync(join(FAMILIES, 'train'), examples, { recursive: true });
    writeFileSync(join(examples, 'license', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]));
    writeFileSync(join(examples, 'python', 'empty.py'), '');
    writeFileSync(join(examples, 'notes.txt'), 'outside every label folder');
    const run = await runCli('train-head', '--model', model, '--examples', examples, '--out', join(dir, 'head-binary'), ...CPU);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /skipped 3 files:/);
    assert.match(run.stdout, /license\/logo\.png: looks binary/);
    assert.match(run.stdout, /python\/empty\.py: is empty/);
    assert.match(run.stdout, /notes\.txt: not inside a label folder/);
    assert.match(run.stdout, /18 files in 3 labels/);
  });

  it('with too few files per label, says how many more cross-validation needs', async () => {
    const examples = join(dir, 'few');
    for (const family of ['license', 'python']) {
      mkdirSync(join(examples, family), { recursive: true });
      const files = readdirSync(join(FAMILIES, 'train', family)).slice(0, family === 'license' ? 1 : 3);
      for (const file of files) cpSync(join(FAMILIES, 'train', family, file), join(examples, family, file));
    }
    const run = await runCli('train-head', '--model', model, '--examples', examples, '--out', join(dir, 'head-few'), '--json', ...CPU);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as TrainJson;
    assert.equal(json.cross_validation, null);
    assert.deepEqual(json.more_files_needed, { license: 2 });
    const text = await runCli('train-head', '--model', model, '--examples', examples, '--out', join(dir, 'head-few'), ...CPU);
    assert.match(text.stdout, /no cross-validated accuracy: it needs at least 3 files per label; add 2 to license/);
  });

  it('--tokenizer: a checkpoint folder without tokenizer files trains with the tokenizer given, to the same head', async () => {
    const bare = join(dir, 'bare');
    mkdirSync(bare);
    for (const file of ['config.json', 'model.safetensors']) cpSync(join(model, file), join(bare, file));
    const args = ['--examples', join(FAMILIES, 'train'), '--json', '--provider', 'cpu'];
    expectBadInput(await runCli('train-head', '--model', bare, ...args, '--out', join(dir, 'bare-head')), /vocab\.json|tokenizer/);
    const run = await runCli('train-head', '--model', bare, '--tokenizer', FIXTURE_TOKENIZER, ...args, '--out', join(dir, 'bare-head'));
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as TrainJson;
    // Its own embedding cache entries (another tokenizer folder could cut the same file differently) ...
    assert.equal(json.embedded, 18);
    assert.equal(json.from_cache, 0);
    // ... and, the files being the same, the same cross-validation and head as with the model's own copy.
    assert.deepEqual(json.cross_validation, trained.cross_validation);
    assert.deepEqual(readFileSync(join(dir, 'bare-head', 'head.safetensors')), readFileSync(join(head, 'head.safetensors')));
  });

  it('refuses an empty label folder, a single label, and a head on another base model (naming both)', async () => {
    const examples = join(dir, 'empty-label');
    cpSync(join(FAMILIES, 'train'), examples, { recursive: true });
    mkdirSync(join(examples, 'invoice'));
    expectBadInput(
      await runCli('train-head', '--model', model, '--examples', examples, '--out', join(dir, 'x')),
      /label folder .*invoice has no usable text files/,
    );
    const single = join(dir, 'single');
    cpSync(join(FAMILIES, 'train', 'python'), join(single, 'python'), { recursive: true });
    expectBadInput(
      await runCli('train-head', '--model', model, '--examples', single, '--out', join(dir, 'x')),
      /only one label folder \("python"\)/,
    );
    const other = join(dir, 'other');
    await writeTaskCheckpoint(other, 'base', 32, { maxPositionEmbeddings: 258, attentionWindow: 32 });
    const document = join(FAMILIES, 'held-out', 'python', 'textwrap-py-1.txt');
    const refused = await runCli('classify', '--model', other, '--head', head, document);
    expectBadInput(
      refused,
      /was trained on .*model \(LongformerForMaskedLM, config [0-9a-f]{12}\), not on .*other \(LongformerModel, config [0-9a-f]{12}\)/,
    );
    expectBadInput(await runCli('classify', '--model', model, '--head', head, '--labels', 'a,b', document), /two different methods/);
    expectBadInput(await runCli('classify', '--model', model, '--head', join(dir, 'nothing'), document), /has no head\.json/);
  });
});
