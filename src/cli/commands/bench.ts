// `longformer-lens bench [--synthetic base|large|tiny] [--lengths 1024,4096] [--precision fp32] [--provider p]
// [--threads n] [--runs n] [--json]`: speed and memory of the engine on a synthetic model with the published shapes,
// beside onnxruntime's plain MatMul speed and a dense-attention baseline, measured in one run (issue #13).
// Each measurement runs in a child process of this same command (the hidden --child flag), so each length's peak
// resident memory is its own and a failure at one length (out of memory) cannot take the others with it.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { writeSyntheticCheckpoint } from '../../core/checkpoint/synthetic';
import { onnxruntimeVersion } from '../../core/runtime/ort-runtime';
import { LensError } from '../../core/errors';
import {
  runBenchJob,
  matMulGflops,
  type BenchJob,
  type BenchJobResult,
  type BenchSettings,
  type EngineResult,
} from '../../core/bench/measure';
import { benchRows, describeMachine, formatTable, type BenchReport } from '../../core/bench/report';
import { BENCH_MODELS, benchConfig, denseFits, median, USEFUL_WORK_FORMULA, type BenchModel } from '../../core/bench/work';
import { PROVIDER_CHOICES } from '../../core/runtime/providers';
import { PRECISIONS } from '../../core/precision';
import { engineFlags } from '../engine-flags';

/** The MatMul probe runs at the longest length up to this: beyond it the throughput no longer changes. */
const MATMUL_PROBE_MAX = 4096;

interface BenchFlags {
  readonly synthetic: string;
  readonly lengths: string;
  readonly precision: string;
  readonly provider: string;
  readonly threads?: string;
  readonly runs: string;
  readonly denseLimitMb: string;
  readonly json?: boolean;
  readonly child?: string;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('Measure speed and memory on a synthetic model with the published shapes (random weights).')
    .option('--synthetic <model>', `model shapes: ${BENCH_MODELS.join(', ')} (tiny: a seconds-long check)`, 'base')
    .option('--lengths <list>', 'comma-separated token counts', '1024,4096')
    .option('--precision <p>', `numeric precision: ${PRECISIONS.join(', ')}`, 'fp32')
    .option('--provider <name>', `execution provider: ${PROVIDER_CHOICES.join(', ')}`, 'cpu')
    .option('--threads <n>', 'onnxruntime intra-op threads (default: one per core)')
    .option('--runs <n>', 'timed runs per length, after one warm-up run', '3')
    .option('--dense-limit-mb <mb>', 'run the dense-attention baseline where its score tensors fit in this much memory', '4096')
    .option('--json', 'print the report as JSON')
    .addOption(new Option('--child <job>').hideHelp())
    .action(async (flags: BenchFlags) => {
      if (flags.child !== undefined) {
        const result = await runBenchJob(JSON.parse(flags.child) as BenchJob);
        process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
        return;
      }
      await bench(flags);
    });
}

function parseFlags(flags: BenchFlags): { settings: BenchSettings; lengths: number[]; denseLimitBytes: number } {
  const model = flags.synthetic as BenchModel;
  if (!BENCH_MODELS.includes(model))
    throw new LensError('BAD_ARGUMENT', `--synthetic ${flags.synthetic}: expected one of ${BENCH_MODELS.join(', ')}.`);
  const lengths = flags.lengths.split(',').map((text) => Number(text.trim()));
  if (lengths.length === 0 || lengths.some((n) => !Number.isInteger(n) || n < 2)) {
    throw new LensError('BAD_ARGUMENT', `--lengths ${flags.lengths}: expected comma-separated token counts of at least 2.`);
  }
  const runs = Number(flags.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new LensError('BAD_ARGUMENT', `--runs ${flags.runs}: expected a positive integer.`);
  const denseLimitMb = Number(flags.denseLimitMb);
  if (!Number.isFinite(denseLimitMb) || denseLimitMb < 0) {
    throw new LensError('BAD_ARGUMENT', `--dense-limit-mb ${flags.denseLimitMb}: expected a number of megabytes (0 skips the baseline).`);
  }
  const { provider = 'cpu', threads, precision = 'fp32' } = engineFlags(flags);
  const sorted = [...new Set(lengths)].sort((a, b) => a - b);
  const settings: BenchSettings = {
    model,
    longest: sorted[sorted.length - 1] ?? 0,
    provider,
    precision,
    runs,
    ...(threads === undefined ? {} : { threads }),
  };
  return { settings, lengths: sorted, denseLimitBytes: denseLimitMb * 1024 * 1024 };
}

async function bench(flags: BenchFlags): Promise<void> {
  const { settings, lengths, denseLimitBytes } = parseFlags(flags);
  const config = benchConfig(settings.model, settings.longest);
  const progress = (text: string): void => {
    process.stderr.write(`bench: ${text}\n`);
  };
  const dir = await mkdtemp(join(tmpdir(), 'lens-bench-'));
  try {
    const modelDir = join(dir, 'model');
    const cacheDir = join(dir, 'cache');
    progress(
      `writing a synthetic ${settings.model} checkpoint (${config.numHiddenLayers} layers, ${config.maxPositionEmbeddings} positions)`,
    );
    await writeSyntheticCheckpoint(modelDir, config, 1);
    progress('building the graph (cold open)');
    const prepared = child({ kind: 'prepare', modelDir, cacheDir, settings });
    if (prepared.kind !== 'prepare') throw new Error('internal: the prepare child answered out of turn');
    // onnxruntime's MatMul speed is measured before the first length and again after each one, so that each length's
    // fraction of it uses the two probes around it: on a shared machine the speed available drifts within minutes.
    const probeLength = Math.min(settings.longest, MATMUL_PROBE_MAX);
    const measureMatMul = (): number => {
      const probe = child({ kind: 'matmul', workDir: dir, length: probeLength, settings });
      if (probe.kind !== 'matmul') throw new Error('internal: the MatMul child answered out of turn');
      return matMulGflops(settings, probe);
    };
    progress(`cold open ${(prepared.openMs / 1000).toFixed(1)} s; measuring onnxruntime's MatMul`);
    const probes = [measureMatMul()];

    const engine: EngineResult[] = [];
    const denseMs = new Map<number, number>();
    const matmulAround = new Map<number, number>();
    for (const length of lengths) {
      progress(`${length} tokens`);
      const result = child({ kind: 'engine', modelDir, cacheDir, length, settings });
      if (result.kind !== 'engine') throw new Error('internal: the engine child answered out of turn');
      engine.push(result);
      progress(`${length} tokens done; onnxruntime's MatMul again`);
      const before = probes[probes.length - 1]!;
      const after = measureMatMul();
      matmulAround.set(length, (before + after) / 2);
      probes.push(after);
      if (denseFits(config, length, denseLimitBytes)) {
        progress(`${length} tokens, dense attention`);
        const dense = child({ kind: 'dense', workDir: dir, length, settings });
        if (dense.kind !== 'dense') throw new Error('internal: the dense child answered out of turn');
        denseMs.set(length, dense.medianMs);
      }
    }
    const report: BenchReport = {
      machine: describeMachine(settings.threads, onnxruntimeVersion()),
      model: {
        name: settings.model,
        layers: config.numHiddenLayers,
        hidden: config.hiddenSize,
        heads: config.numAttentionHeads,
        window: config.attentionWindow[0] ?? 0,
      },
      work_formula: USEFUL_WORK_FORMULA,
      matmul_gflops: median(probes),
      results: benchRows(config, engine, denseMs, matmulAround),
    };
    process.stdout.write(flags.json === true ? `${JSON.stringify(report)}\n` : formatTable(report));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs one measurement in a fresh process of this same command and returns what it printed. */
function child(job: BenchJob): BenchJobResult {
  const script = process.argv[1];
  if (script === undefined) throw new Error('internal: no script path to start the measurement process from');
  const result = spawnSync(process.execPath, [...process.execArgv, script, 'bench', '--child', JSON.stringify(job)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = result.stdout.split('\n').find((text) => text.startsWith('RESULT '));
  if (result.status !== 0 || line === undefined) {
    const what = job.kind === 'prepare' ? 'building the graph' : `the ${job.kind} measurement at ${job.length} tokens`;
    const how = result.signal !== null ? `was killed (${result.signal}; out of memory?)` : `failed (exit ${String(result.status)})`;
    throw new LensError('RUNTIME_FAILED', `bench: ${what} ${how}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
  return JSON.parse(line.slice('RESULT '.length)) as BenchJobResult;
}
