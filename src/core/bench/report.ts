// The report `bench` prints: the --json contract (issue #13; the field names are a contract) and the same numbers
// as a table. Pure functions over the measurements.
import { cpus, totalmem } from 'node:os';
import type { LongformerConfig } from '../checkpoint/config';
import { cpuKernelFlags } from '../runtime/cpu-features';
import type { EngineResult } from './measure';
import { usefulFlops } from './work';

export interface BenchMachine {
  readonly cpu: string;
  /** The CPU's vector instruction sets that choose onnxruntime's kernels (AVX-512, VNNI, AMX...); empty if unknown. */
  readonly cpu_flags: readonly string[];
  readonly cores: number;
  readonly threads: number | 'default';
  readonly memory_mb: number;
  readonly platform: string;
  readonly arch: string;
  readonly node: string;
  readonly onnxruntime: string;
}

export interface BenchRow {
  readonly length: number;
  readonly median_ms: number;
  readonly tokens_per_s: number;
  readonly peak_rss_mb: number;
  readonly useful_gflop: number;
  readonly gflops: number;
  /** onnxruntime's MatMul speed around this length: the mean of the probes run just before and just after it. */
  readonly matmul_gflops: number;
  readonly fraction_of_matmul: number;
  /** The dense full-attention baseline's median; null where it was not run (it would not fit). */
  readonly dense_median_ms: number | null;
  readonly precision: string;
  readonly provider: string;
  /** t(n) / t(n/2) when n/2 was measured in the same run, else null. */
  readonly doubling_ratio: number | null;
  /** A second start with the graph cached: opening the engine, and its first (warm-up) run. */
  readonly warm_open_ms: number;
  readonly first_run_ms: number;
  readonly runs_ms: readonly number[];
}

export interface BenchReport {
  readonly machine: BenchMachine;
  readonly model: {
    readonly name: string;
    readonly layers: number;
    readonly hidden: number;
    readonly heads: number;
    readonly window: number;
  };
  readonly work_formula: string;
  /** The median of every MatMul probe of the run (one before the first length, one after each). */
  readonly matmul_gflops: number;
  readonly results: readonly BenchRow[];
}

export function describeMachine(threads: number | undefined, onnxruntimeVersion: string): BenchMachine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cpu_flags: cpuKernelFlags(),
    cores: list.length,
    threads: threads ?? 'default',
    memory_mb: Math.round(totalmem() / 1024 / 1024),
    platform: process.platform,
    arch: process.arch,
    node: process.version,
    onnxruntime: onnxruntimeVersion,
  };
}

export function benchRows(
  config: LongformerConfig,
  engine: readonly EngineResult[],
  denseMs: ReadonlyMap<number, number>,
  matmulAround: ReadonlyMap<number, number>,
): BenchRow[] {
  const byLength = new Map(engine.map((result) => [result.length, result.medianMs]));
  return engine.map((result) => {
    const usefulGflop = usefulFlops(config, result.length) / 1e9;
    const gflops = usefulGflop / (result.medianMs / 1000);
    const half = result.length % 2 === 0 ? byLength.get(result.length / 2) : undefined;
    const matmulGflops = matmulAround.get(result.length);
    if (matmulGflops === undefined) throw new Error(`internal: no MatMul probe around ${result.length} tokens`);
    return {
      length: result.length,
      median_ms: result.medianMs,
      tokens_per_s: result.length / (result.medianMs / 1000),
      peak_rss_mb: result.peakRssMb,
      useful_gflop: usefulGflop,
      gflops,
      matmul_gflops: matmulGflops,
      fraction_of_matmul: gflops / matmulGflops,
      dense_median_ms: denseMs.get(result.length) ?? null,
      precision: result.precision,
      provider: result.provider,
      doubling_ratio: half === undefined ? null : result.medianMs / half,
      warm_open_ms: result.openMs,
      first_run_ms: result.firstRunMs,
      runs_ms: result.runMs,
    };
  });
}

export function formatTable(report: BenchReport): string {
  const { machine, model } = report;
  const lines = [
    `machine: ${machine.cpu}${machine.cpu_flags.length === 0 ? '' : ` (${machine.cpu_flags.join(' ')})`}, ${machine.cores} cores, ${machine.threads} threads, ${machine.memory_mb} MB; ` +
      `${machine.platform}-${machine.arch}, node ${machine.node}, onnxruntime ${machine.onnxruntime}`,
    `model: synthetic ${model.name} (${model.layers} layers, hidden ${model.hidden}, ${model.heads} heads, window ${model.window})`,
    `useful work = ${report.work_formula} (n tokens, d hidden, w one-sided window)`,
    `onnxruntime MatMul: ${report.matmul_gflops.toFixed(1)} GFLOP/s (one layer's dense products; median of the probes, one before ` +
      'the first length and one after each; each length is compared with the mean of the two around it)',
    '',
    'length  median s  tokens/s  peak RSS MB  useful GFLOP  GFLOP/s  MatMul GFLOP/s  of MatMul  t(n)/t(n/2)  dense s  warm open s  first run s  precision  provider',
  ];
  for (const row of report.results) {
    lines.push(
      [
        String(row.length).padStart(6),
        (row.median_ms / 1000).toFixed(2).padStart(8),
        row.tokens_per_s.toFixed(0).padStart(8),
        row.peak_rss_mb.toFixed(0).padStart(11),
        row.useful_gflop.toFixed(1).padStart(12),
        row.gflops.toFixed(1).padStart(7),
        row.matmul_gflops.toFixed(1).padStart(14),
        `${(row.fraction_of_matmul * 100).toFixed(1)} %`.padStart(9),
        (row.doubling_ratio === null ? '-' : row.doubling_ratio.toFixed(2)).padStart(11),
        (row.dense_median_ms === null ? '-' : (row.dense_median_ms / 1000).toFixed(2)).padStart(7),
        (row.warm_open_ms / 1000).toFixed(2).padStart(11),
        (row.first_run_ms / 1000).toFixed(2).padStart(11),
        row.precision.padStart(9),
        row.provider.padStart(8),
      ].join('  '),
    );
  }
  lines.push('dense s: the same layers with full n × n attention ("-": not run, its score tensors would not fit).');
  return `${lines.join('\n')}\n`;
}
