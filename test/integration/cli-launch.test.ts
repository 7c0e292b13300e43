// bin/longformer-lens.js on Linux: the command starts itself again once with malloc on huge pages (src/cli/launch.ts).
// The relaunched process gets the tunable and the arguments; its exit code, or the signal that ended it, is the
// command's.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs relaunchWithHugePages(script, args) from the sources through a launcher file, as bin/longformer-lens.js does;
 * the launcher exits 99 when it declined. */
function launch(launcher: string, script: string, args: readonly string[], env: NodeJS.ProcessEnv): ReturnType<typeof spawnSync> {
  return spawnSync(process.execPath, ['--require', 'tsx/cjs', launcher, script, ...args], { cwd: ROOT, env, encoding: 'utf8' });
}

/** The environment without GLIBC_TUNABLES. */
function withoutTunables(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['GLIBC_TUNABLES'];
  return env;
}

(process.platform === 'linux' ? describe : describe.skip)('CLI launch: malloc on huge pages (Linux)', () => {
  let dir = '';
  let script = '';
  let launcher = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lens-launch-'));
    launcher = join(dir, 'launcher.js');
    writeFileSync(
      launcher,
      `const [script, ...args] = process.argv.slice(2);
       if (!require(${JSON.stringify(join(ROOT, 'src', 'cli', 'launch.ts'))}).relaunchWithHugePages(script, args)) process.exit(99);`,
    );
    script = join(dir, 'child.js');
    // Prints what it was started with, then ends the way its first argument says.
    writeFileSync(
      script,
      `process.stdout.write(JSON.stringify({ tunables: process.env.GLIBC_TUNABLES, args: process.argv.slice(2) }));
       if (process.argv[2] === 'term') process.kill(process.pid, 'SIGTERM'); else process.exit(Number(process.argv[2]));`,
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('starts the command again with the tunable and the same arguments, and exits with its code', () => {
    const result = launch(launcher, script, ['7', '--model', 'a b'], withoutTunables());
    assert.equal(result.status, 7, String(result.stderr));
    assert.deepEqual(JSON.parse(String(result.stdout)), { tunables: 'glibc.malloc.hugetlb=1', args: ['7', '--model', 'a b'] });
  });

  it('ends with the signal that ended the relaunched process', () => {
    const result = launch(launcher, script, ['term'], withoutTunables());
    assert.equal(result.signal, 'SIGTERM');
  });

  it("runs the command in this process when GLIBC_TUNABLES already sets huge pages (the user's choice)", () => {
    const result = launch(launcher, script, ['0'], { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' });
    assert.equal(result.status, 99);
    assert.equal(result.stdout, '');
  });

  it('the installed command runs through it: the version, and a bad flag with exit code 2', () => {
    const env = withoutTunables();
    const bin = join(ROOT, 'bin', 'longformer-lens.js');
    const version = spawnSync(process.execPath, [bin, '--version'], { env, encoding: 'utf8' });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    const bad = spawnSync(process.execPath, [bin, 'classify', '--model', join(dir, 'missing'), 'x.txt'], { env, encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^longformer-lens: --model .*missing: no such folder/);
  });
});
