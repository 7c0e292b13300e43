// The trained classifiers the model picker offers: head folders written by the same saveHead train-head uses, next to
// folders that are not heads, listed by name with their labels, base model and cross-validated accuracy.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEATURE_RECIPE, HEAD_FORMAT, HEAD_FORMAT_VERSION, saveHead } from '../../../src/core/head/head-file';
import { describeClassifier, listClassifiers, readClassifier } from '../../../src/extension/trained-classifiers';

async function writeHead(dir: string, labels: readonly string[], baseModel: string, accuracy: number | null): Promise<void> {
  const dims = 4;
  await saveHead(dir, {
    info: {
      format: HEAD_FORMAT,
      version: HEAD_FORMAT_VERSION,
      labels,
      features: { recipe: FEATURE_RECIPE, dims },
      baseModel: { id: baseModel, architecture: 'LongformerForMaskedLM', configSha256: 'ab'.repeat(32) },
      training: { cross_validation: accuracy === null ? null : { folds: 5, accuracy } },
    },
    head: {
      classes: labels.length,
      dims,
      weight: new Float64Array(labels.length * dims),
      bias: new Float64Array(labels.length),
    },
  });
}

describe('trained classifiers for the model picker', () => {
  let root: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'lens-classifiers-'));
    await writeHead(join(root, 'families'), ['changelog', 'license', 'python'], '/models/base', 0.944);
    await writeHead(join(root, 'billing'), ['invoice', 'letter'], 'allenai/longformer-base-4096', null);
    mkdirSync(join(root, 'half-written'));
    mkdirSync(join(root, 'not-a-head'));
    writeFileSync(join(root, 'not-a-head', 'head.json'), '{"labels": "a,b"}');
    writeFileSync(join(root, 'stray-file.json'), '{}');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('lists the head folders by name with labels, base model and accuracy, leaving other folders out', async () => {
    const listed = await listClassifiers(root);
    assert.deepEqual(
      listed.map(({ name, labels, baseModel, accuracy }) => ({ name, labels, baseModel, accuracy })),
      [
        { name: 'billing', labels: ['invoice', 'letter'], baseModel: 'allenai/longformer-base-4096', accuracy: undefined },
        { name: 'families', labels: ['changelog', 'license', 'python'], baseModel: '/models/base', accuracy: 0.944 },
      ],
    );
    assert.equal(listed[1]!.dir, join(root, 'families'));
    assert.equal(describeClassifier(listed[1]!), 'changelog, license, python · 94.4% cross-validated');
    assert.equal(describeClassifier(listed[0]!), 'invoice, letter');
  });

  it('knows a head folder from a checkpoint folder, and a missing root is no classifiers', async () => {
    assert.equal((await readClassifier(join(root, 'families'), 'families'))?.baseModel, '/models/base');
    assert.equal(await readClassifier(join(root, 'half-written'), 'half-written'), undefined);
    assert.equal(await readClassifier(join(__dirname, '..', '..', 'fixtures', 'roberta-bpe'), 'roberta-bpe'), undefined);
    assert.deepEqual(await listClassifiers(join(root, 'missing')), []);
  });
});
