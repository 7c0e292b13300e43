// The environment the engine's processes start with: malloc on transparent huge pages on Linux, unless the user's
// GLIBC_TUNABLES already decides it.
import { strict as assert } from 'node:assert';
import { withHugePages } from '../../../src/core/runtime/huge-pages';

describe('withHugePages', () => {
  it('adds glibc.malloc.hugetlb=1 on Linux, keeping the rest of the environment', () => {
    const env = withHugePages({ PATH: '/bin', HOME: '/home/a' }, 'linux');
    assert.deepEqual(env, { PATH: '/bin', HOME: '/home/a', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
  });

  it('appends to tunables already set', () => {
    const env = withHugePages({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux');
    assert.equal(env?.['GLIBC_TUNABLES'], 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
  });

  it("leaves the user's own huge-page setting, whatever it is, and every other platform alone", () => {
    assert.equal(withHugePages({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, 'linux'), undefined);
    assert.equal(withHugePages({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2' }, 'linux'), undefined);
    assert.equal(withHugePages({}, 'darwin'), undefined);
    assert.equal(withHugePages({}, 'win32'), undefined);
  });

  it('does not take a tunable that only starts with the same name for it', () => {
    const env = withHugePages({ GLIBC_TUNABLES: 'glibc.malloc.hugetlbx=1' }, 'linux');
    assert.equal(env?.['GLIBC_TUNABLES'], 'glibc.malloc.hugetlbx=1:glibc.malloc.hugetlb=1');
  });
});
