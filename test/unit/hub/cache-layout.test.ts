import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LensError } from '../../../src/core/errors';
import { RepoCache, defaultCacheRoot, repoFolderName } from '../../../src/core/hub/cache-layout';
import { normalizeEtag, resolveFileUrl } from '../../../src/core/hub/file-metadata';
import { repoApiUrl } from '../../../src/core/hub/repo-info';

describe('hub cache layout', () => {
  it('finds the cache root as huggingface_hub does', () => {
    assert.equal(defaultCacheRoot({ HF_HUB_CACHE: '/c/hub', HF_HOME: '/h' }), '/c/hub');
    assert.equal(defaultCacheRoot({ HUGGINGFACE_HUB_CACHE: '/old', HF_HOME: '/h' }), '/old');
    assert.equal(defaultCacheRoot({ HF_HOME: '/h' }), join('/h', 'hub'));
    assert.equal(defaultCacheRoot({ XDG_CACHE_HOME: '/x' }), join('/x', 'huggingface', 'hub'));
    assert.equal(defaultCacheRoot({}), join(homedir(), '.cache', 'huggingface', 'hub'));
    assert.equal(defaultCacheRoot({ HF_HOME: '~/hf' }), join(homedir(), 'hf', 'hub'));
  });

  it('names folders and files like huggingface_hub', () => {
    assert.equal(repoFolderName('allenai/longformer-base-4096'), 'models--allenai--longformer-base-4096');
    assert.equal(repoFolderName('roberta-base'), 'models--roberta-base');
    const cache = new RepoCache('/root', 'org/name');
    assert.equal(cache.blobPath('abc123'), join('/root', 'models--org--name', 'blobs', 'abc123'));
    assert.equal(cache.incompletePath('abc123'), join('/root', 'models--org--name', 'blobs', 'abc123.incomplete'));
    assert.equal(
      cache.snapshotFile('c0ffee', 'sub/dir/file.json'),
      join('/root', 'models--org--name', 'snapshots', 'c0ffee', 'sub', 'dir', 'file.json'),
    );
    assert.equal(cache.refPath('refs/pr/1'), join('/root', 'models--org--name', 'refs', 'refs', 'pr', '1'));
    assert.equal(cache.locksDir, join('/root', '.locks', 'models--org--name'));
  });

  it('refuses server-provided names that would escape the cache', () => {
    const cache = new RepoCache('/root', 'org/name');
    assert.throws(() => cache.blobPath('../../x'), LensError);
    assert.throws(() => cache.blobPath(''), LensError);
    assert.throws(() => cache.snapshotFile('c', '../escape'), LensError);
    assert.throws(() => cache.snapshotFile('c', '/abs'), LensError);
  });

  it('builds hub URLs with escaped revisions and reads ETags', () => {
    assert.equal(repoApiUrl('https://hf.co', 'org/name', 'refs/pr/1'), 'https://hf.co/api/models/org/name/revision/refs%2Fpr%2F1');
    assert.equal(resolveFileUrl('https://hf.co', 'org/name', 'abc', 'dir/a b.json'), 'https://hf.co/org/name/resolve/abc/dir/a%20b.json');
    assert.equal(normalizeEtag('W/"abc"'), 'abc');
    assert.equal(normalizeEtag('"abc"'), 'abc');
    assert.equal(normalizeEtag('abc'), 'abc');
  });
});
