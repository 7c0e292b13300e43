// `longformer-lens bench` at tiny sizes: a real process (it starts one child process per measurement), checked
// against the --json contract of issue #13. Timings are not asserted: only that they are measured and consistent.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { usefulFlops, benchConfig } from '../../src/core/bench/work';

const ROOT = join(__dirname, '..', '..');

function cli(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('CLI: longformer-lens bench', function () {
  this.timeout(240_000);

  it('prints the --json contract for each length, with the dense baseline and t(n)/t(n/2)', () => {
    const { status, stdout, stderr } = cli([
      'bench',
      '--synthetic',
      'tiny',
      '--lengths',
      '32,64',
      '--runs',
      '2',
      '--threads',
      '1',
      '--json',
    ]);
    assert.equal(status, 0, stderr);
    const report = JSON.parse(stdout) as Record<string, unknown>;
    assert.equal(typeof report['machine'], 'object');
    const machine = report['machine'] as Record<string, unknown>;
    assert.equal(machine['threads'], 1);
    // The instruction sets that choose onnxruntime's kernels: an x64 Linux CPU has at least AVX.
    const flags = machine['cpu_flags'];
    assert.ok(Array.isArray(flags) && flags.every((flag) => typeof flag === 'string'), `cpu_flags: ${JSON.stringify(flags)}`);
    if (process.platform === 'linux' && process.arch === 'x64') assert.ok(flags.includes('avx'), `cpu_flags: ${flags.join(' ')}`);
    const matmul = report['matmul_gflops'];
    assert.ok(typeof matmul === 'number' && matmul > 0);
    assert.equal(report['work_formula'], 'layers × (24·n·d² + 4·n·(2w+1)·d)');
    const results = report['results'] as Record<string, unknown>[];
    assert.deepEqual(
      results.map((row) => row['length']),
      [32, 64],
    );
    const config = benchConfig('tiny', 64);
    for (const row of results) {
      const length = row['length'] as number;
      const medianMs = row['median_ms'] as number;
      assert.ok(medianMs > 0);
      assert.ok(Math.abs((row['tokens_per_s'] as number) - length / (medianMs / 1000)) < 1e-6);
      assert.ok((row['peak_rss_mb'] as number) > 10, 'a child process peak RSS in MB');
      assert.ok(Math.abs((row['useful_gflop'] as number) - usefulFlops(config, length) / 1e9) < 1e-12);
      assert.ok(Math.abs((row['gflops'] as number) - (row['useful_gflop'] as number) / (medianMs / 1000)) < 1e-6);
      // Each length against the MatMul probes run just before and after it; the top-level figure is their median.
      const around = row['matmul_gflops'] as number;
      assert.ok(typeof around === 'number' && around > 0);
      assert.ok(Math.abs((row['fraction_of_matmul'] as number) - (row['gflops'] as number) / around) < 1e-9);
      assert.ok(typeof row['dense_median_ms'] === 'number' && row['dense_median_ms'] > 0, 'tiny dense attention fits');
      assert.equal(row['precision'], 'fp32');
      assert.equal(row['provider'], 'cpu');
      assert.equal((row['runs_ms'] as number[]).length, 2);
    }
    assert.equal(results[0]?.['doubling_ratio'], null);
    assert.ok(
      Math.abs((results[1]?.['doubling_ratio'] as number) - (results[1]?.['median_ms'] as number) / (results[0]?.['median_ms'] as number)) <
        1e-9,
    );
  });

  it('prints a table with the work formula by default, and skips the dense baseline over its limit', () => {
    const { status, stdout, stderr } = cli([
      'bench',
      '--synthetic',
      'tiny',
      '--lengths',
      '32',
      '--runs',
      '1',
      '--dense-limit-mb',
      '0',
      '--precision',
      'int8',
    ]);
    assert.equal(status, 0, stderr);
    assert.match(stdout, /useful work = layers × \(24·n·d² \+ 4·n·\(2w\+1\)·d\)/);
    assert.match(stdout, /onnxruntime MatMul: [\d.]+ GFLOP\/s/);
    const row = stdout.split('\n').find((line) => /^\s+32\s/.test(line));
    assert.ok(row !== undefined, stdout);
    assert.match(row, /\s-\s/); // no dense time
    assert.match(row, /\sint8\s+cpu$/); // the precision that ran
  });

  it('refuses bad flags with a one-line reason and exit code 2', () => {
    for (const [args, pattern] of [
      [['--synthetic', 'huge'], /--synthetic huge: expected one of tiny, base, large/],
      [['--lengths', '1024,abc'], /--lengths 1024,abc/],
      [['--runs', '0'], /--runs 0/],
      [['--precision', 'fp8'], /--precision fp8/],
    ] as const) {
      const { status, stderr } = cli(['bench', ...args]);
      assert.equal(status, 2, stderr);
      assert.match(stderr, pattern);
    }
  });
});
