import assert from 'node:assert/strict';
import { LensError } from '../../../src/core/errors';
import { isCommitHash, looksLikeRepoSpec, parseRepoSpec } from '../../../src/core/hub/repo-spec';

describe('hub repo specs', () => {
  it('splits org/name@revision, defaulting to main', () => {
    assert.deepEqual(parseRepoSpec('allenai/longformer-base-4096'), { repoId: 'allenai/longformer-base-4096', revision: 'main' });
    assert.deepEqual(parseRepoSpec('allenai/longformer-base-4096@v1.0'), { repoId: 'allenai/longformer-base-4096', revision: 'v1.0' });
    assert.deepEqual(parseRepoSpec('roberta-base@refs/pr/3'), { repoId: 'roberta-base', revision: 'refs/pr/3' });
  });

  it('refuses ids that would make an ambiguous or escaping cache path', () => {
    for (const bad of [
      'a/b/c',
      'a--b/c',
      '../x',
      'org/',
      '/name',
      'org/na me',
      '-org/name',
      'org/name.',
      'a/b@',
      'a/b@../../etc',
      'a/b@x/../y',
    ]) {
      assert.throws(
        () => parseRepoSpec(bad),
        (error: unknown) => error instanceof LensError && error.code === 'BAD_ARGUMENT',
        bad,
      );
    }
  });

  it('tells repo ids from paths', () => {
    assert.ok(looksLikeRepoSpec('allenai/longformer-base-4096@main'));
    assert.ok(!looksLikeRepoSpec('./models/x'));
    assert.ok(!looksLikeRepoSpec('/abs/path'));
    assert.ok(!looksLikeRepoSpec('C:\\models\\x'));
    assert.ok(!looksLikeRepoSpec('~/models'));
    assert.ok(!looksLikeRepoSpec('a/b/c'));
  });

  it('recognises full commit hashes only', () => {
    assert.ok(isCommitHash('0123456789abcdef0123456789abcdef01234567'));
    assert.ok(!isCommitHash('0123456'));
    assert.ok(!isCommitHash('main'));
  });
});
