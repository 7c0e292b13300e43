import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RepoCache } from '../../../src/core/hub/cache-layout';
import { linkIntoSnapshot, readRef, writeRef } from '../../../src/core/hub/cache-store';

describe('hub cache store', () => {
  let root: string;
  let cache: RepoCache;
  const commit = '0123456789abcdef0123456789abcdef01234567';

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'lens-store-'));
    cache = new RepoCache(root, 'org/name');
    mkdirSync(join(cache.repoDir, 'blobs'), { recursive: true });
    writeFileSync(cache.blobPath('etag1'), 'hello');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('links snapshot files to blobs with relative symlinks, also in subfolders', async () => {
    await linkIntoSnapshot(cache.blobPath('etag1'), cache.snapshotFile(commit, 'a.json'));
    assert.equal(readlinkSync(cache.snapshotFile(commit, 'a.json')), join('..', '..', 'blobs', 'etag1'));
    await linkIntoSnapshot(cache.blobPath('etag1'), cache.snapshotFile(commit, 'sub/b.json'));
    assert.equal(readlinkSync(cache.snapshotFile(commit, 'sub/b.json')), join('..', '..', '..', 'blobs', 'etag1'));
    assert.equal(readFileSync(cache.snapshotFile(commit, 'sub/b.json'), 'utf8'), 'hello');
  });

  it('copies the blob where symlinks are refused', async () => {
    const refuse = (): Promise<void> => Promise.reject(Object.assign(new Error('operation not permitted'), { code: 'EPERM' }));
    await linkIntoSnapshot(cache.blobPath('etag1'), cache.snapshotFile(commit, 'a.json'), refuse);
    const pointer = cache.snapshotFile(commit, 'a.json');
    assert.ok(lstatSync(pointer).isFile());
    assert.equal(readFileSync(pointer, 'utf8'), 'hello');
  });

  it('writes refs like huggingface_hub (no newline, none for commit hashes) and reads them back', async () => {
    assert.equal(await readRef(cache, 'main'), undefined);
    await writeRef(cache, 'main', commit);
    assert.equal(readFileSync(join(cache.repoDir, 'refs', 'main'), 'utf8'), commit);
    assert.equal(await readRef(cache, 'main'), commit);
    await writeRef(cache, 'refs/pr/2', commit);
    assert.equal(readFileSync(join(cache.repoDir, 'refs', 'refs', 'pr', '2'), 'utf8'), commit);
    await writeRef(cache, commit, commit);
    assert.throws(() => lstatSync(join(cache.repoDir, 'refs', commit)));
    assert.equal(await readRef(cache, commit), commit);
    writeFileSync(join(cache.repoDir, 'refs', 'broken'), 'not a hash');
    assert.equal(await readRef(cache, 'broken'), undefined);
  });
});
