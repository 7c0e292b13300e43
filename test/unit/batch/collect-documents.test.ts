import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { collectDocuments } from '../../../src/cli/batch/collect-documents';

describe('collectDocuments', () => {
  let dir: string;
  const write = (path: string, text = 'text'): void => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const relativeTo = (paths: string[]): string[] => paths.map((path) => relative(dir, path));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lens-collect-'));
    write('docs/a.txt');
    write('docs/notes.md');
    write('docs/build.log');
    write('docs/.hidden.txt');
    write('docs/.gitignore', '*.log\n');
    write('docs/sub/b.txt');
    write('docs/sub/out/c.txt');
    write('docs/sub/keep.log');
    write('docs/sub/.gitignore', 'out/\n!keep.log\n');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('walks folders recursively, skipping hidden files and what each .gitignore excludes below it', async () => {
    const found = relativeTo(await collectDocuments([join(dir, 'docs')]));
    // docs/.gitignore drops *.log everywhere below it; docs/sub/.gitignore drops out/ and re-includes keep.log.
    assert.deepEqual(found, ['docs/a.txt', 'docs/notes.md', 'docs/sub/b.txt', 'docs/sub/keep.log']);
  });

  it('keeps explicit files as given, even ignored or hidden ones, and lists each file once', async () => {
    const a = join(dir, 'docs', 'a.txt');
    const found = relativeTo(
      await collectDocuments([join(dir, 'docs', 'build.log'), a, join(dir, 'docs'), join(dir, 'docs', '.hidden.txt')]),
    );
    assert.deepEqual(found, ['docs/build.log', 'docs/a.txt', 'docs/notes.md', 'docs/sub/b.txt', 'docs/sub/keep.log', 'docs/.hidden.txt']);
  });

  it('filters folders with --glob and expands glob inputs', async () => {
    assert.deepEqual(relativeTo(await collectDocuments([join(dir, 'docs')], { glob: '**/*.txt' })), ['docs/a.txt', 'docs/sub/b.txt']);
    assert.deepEqual(relativeTo(await collectDocuments([`${dir}/docs/*.md`])), ['docs/notes.md']);
  });

  it('keeps a missing path, so the run reports it', async () => {
    assert.deepEqual(relativeTo(await collectDocuments([join(dir, 'nope.txt')])), ['nope.txt']);
  });
});
