import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LensError } from '../../../src/core/errors';
import { findRegistryEntry, loadRegistry, validateRegistry } from '../../../src/core/hub/registry';

const REQUIRED = [
  'allenai/longformer-base-4096',
  'allenai/longformer-large-4096',
  'allenai/longformer-large-4096-finetuned-triviaqa',
  'valhalla/longformer-base-4096-finetuned-squadv1',
  'mrm8488/longformer-base-4096-finetuned-squadv2',
];

describe('model registry', () => {
  it('validates models/registry.json as it is on disk and lists the known checkpoints', () => {
    const document: unknown = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'models', 'registry.json'), 'utf8'));
    const entries = validateRegistry(document);
    for (const id of REQUIRED)
      assert.ok(
        entries.some((entry) => entry.id === id),
        id,
      );
    assert.equal(findRegistryEntry('allenai/longformer-large-4096-finetuned-triviaqa')?.task, 'question-answering');
    assert.equal(loadRegistry().length, entries.length);
  });

  it('rejects malformed entries, naming them', () => {
    const good = { id: 'a/b', task: 'base', approxSizeBytes: 1, license: 'mit', description: 'x' };
    assert.equal(validateRegistry({ models: [good] }).length, 1);
    const cases: [unknown, RegExp][] = [
      [{}, /"models" array/],
      [{ models: [{ ...good, id: 'nope' }] }, /org\/name/],
      [{ models: [good, good] }, /listed twice/],
      [{ models: [{ ...good, task: 'translation' }] }, /task must be/],
      [{ models: [{ ...good, approxSizeBytes: -3 }] }, /approxSizeBytes/],
      [{ models: [{ ...good, license: '' }] }, /license/],
      [{ models: [{ ...good, description: 'two\nlines' }] }, /one line/],
      [{ models: [{ ...good, labels: [] }] }, /labels/],
    ];
    for (const [document, pattern] of cases) {
      assert.throws(
        () => validateRegistry(document),
        (error: unknown) => error instanceof LensError && pattern.test(error.message),
        String(pattern),
      );
    }
  });
});
