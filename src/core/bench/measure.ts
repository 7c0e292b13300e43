// The measurements `bench` makes, each meant to run alone in its own process so that its peak resident memory
// (process.resourceUsage().maxRSS) is its own: opening the engine once to build the graph cache, the engine at one
// length, onnxruntime's plain MatMul, and the dense-attention baseline. Every timing is a median over `runs` runs
// after one warm-up run (the first run allocates and prepacks).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tensor as OrtTensor } from 'onnxruntime-common';
import { syntheticWeights } from '../checkpoint/synthetic';
import { ExternalDataFile } from '../graph/external-data-file';
import { serializeModel } from '../graph/serialize';
import type { Precision } from '../precision';
import type { ProviderChoice } from '../runtime/providers';
import { createSessionWithFallback } from '../runtime/providers';
import { openEngine } from '../runtime/open';
import { buildDenseEncoderGraph, buildMatMulProbeGraph, DENSE_INPUT, DENSE_OUTPUT } from './dense-graph';
import { benchConfig, benchInputs, denseLayerFlops, median, type BenchModel } from './work';

export interface BenchSettings {
  readonly model: BenchModel;
  /** The longest length of the run: the synthetic model's positions depend on it. */
  readonly longest: number;
  readonly provider: ProviderChoice;
  /** The engine's precision; the MatMul probe and the dense baseline are always fp32. */
  readonly precision: Precision;
  readonly threads?: number;
  readonly runs: number;
}

export type BenchJob =
  | { readonly kind: 'prepare'; readonly modelDir: string; readonly cacheDir: string; readonly settings: BenchSettings }
  | {
      readonly kind: 'engine';
      readonly modelDir: string;
      readonly cacheDir: string;
      readonly length: number;
      readonly settings: BenchSettings;
    }
  | { readonly kind: 'matmul'; readonly workDir: string; readonly length: number; readonly settings: BenchSettings }
  | { readonly kind: 'dense'; readonly workDir: string; readonly length: number; readonly settings: BenchSettings };

export interface PrepareResult {
  readonly kind: 'prepare';
  /** Cold open: weights read, graph built and cached, session created. */
  readonly openMs: number;
  readonly peakRssMb: number;
}

export interface EngineResult {
  readonly kind: 'engine';
  readonly length: number;
  /** Warm open (graph from the cache) and the first (warm-up) run. */
  readonly openMs: number;
  readonly firstRunMs: number;
  readonly runMs: readonly number[];
  readonly medianMs: number;
  readonly peakRssMb: number;
  readonly provider: string;
  /** The precision that ran. */
  readonly precision: Precision;
}

export interface TimedResult {
  readonly kind: 'matmul' | 'dense';
  readonly length: number;
  readonly runMs: readonly number[];
  readonly medianMs: number;
  readonly provider: string;
  readonly peakRssMb: number;
}

export type BenchJobResult = PrepareResult | EngineResult | TimedResult;

export async function runBenchJob(job: BenchJob): Promise<BenchJobResult> {
  switch (job.kind) {
    case 'prepare':
      return prepare(job.modelDir, job.cacheDir, job.settings);
    case 'engine':
      return engineAt(job.modelDir, job.cacheDir, job.length, job.settings);
    case 'matmul':
      return matMulAt(job.workDir, job.length, job.settings);
    case 'dense':
      return denseAt(job.workDir, job.length, job.settings);
  }
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in kilobytes
}

function engineOptions(cacheDir: string, settings: BenchSettings): Parameters<typeof openEngine>[1] {
  return {
    provider: settings.provider,
    precision: settings.precision,
    cacheDir,
    ...(settings.threads === undefined ? {} : { threads: settings.threads }),
  };
}

async function prepare(modelDir: string, cacheDir: string, settings: BenchSettings): Promise<PrepareResult> {
  const start = performance.now();
  const engine = await openEngine(modelDir, engineOptions(cacheDir, settings));
  const openMs = performance.now() - start;
  await engine.dispose();
  return { kind: 'prepare', openMs, peakRssMb: peakRssMb() };
}

/** Times `run` once to warm up, then `runs` times. */
async function timeRuns(runs: number, run: () => Promise<void>): Promise<{ firstRunMs: number; runMs: number[] }> {
  let start = performance.now();
  await run();
  const firstRunMs = performance.now() - start;
  const runMs: number[] = [];
  for (let r = 0; r < runs; r += 1) {
    start = performance.now();
    await run();
    runMs.push(performance.now() - start);
  }
  return { firstRunMs, runMs };
}

async function engineAt(modelDir: string, cacheDir: string, length: number, settings: BenchSettings): Promise<EngineResult> {
  const config = benchConfig(settings.model, settings.longest);
  const openStart = performance.now();
  const engine = await openEngine(modelDir, engineOptions(cacheDir, settings));
  const openMs = performance.now() - openStart;
  try {
    const inputs = benchInputs(config, length);
    let provider = engine.provider;
    const { firstRunMs, runMs } = await timeRuns(settings.runs, async () => {
      provider = (await engine.run(inputs, ['last_hidden_state'])).provider;
    });
    return {
      kind: 'engine',
      length,
      openMs,
      firstRunMs,
      runMs,
      medianMs: median(runMs),
      peakRssMb: peakRssMb(),
      provider,
      precision: engine.precision,
    };
  } finally {
    await engine.dispose();
  }
}

/** onnxruntime's own MatMul speed on this machine: one layer's dense products at `length` tokens, nothing else. */
async function matMulAt(workDir: string, length: number, settings: BenchSettings): Promise<TimedResult> {
  const config = benchConfig(settings.model, settings.longest);
  const path = join(workDir, `matmul-${length}.onnx`);
  await writeFile(path, serializeModel(buildMatMulProbeGraph(config, length)));
  const opened = await createSessionWithFallback(
    path,
    settings.provider,
    settings.threads === undefined ? {} : { threads: settings.threads },
  );
  try {
    const feed = { x: new OrtTensor('float32', new Float32Array(length * config.hiddenSize).fill(0.01), [length, config.hiddenSize]) };
    // At least 5 runs: each is short, and this number divides every fraction the report gives.
    const { runMs } = await timeRuns(Math.max(settings.runs, 5), async () => {
      await opened.session.run(feed);
    });
    return { kind: 'matmul', length, runMs, medianMs: median(runMs), provider: opened.provider, peakRssMb: peakRssMb() };
  } finally {
    await opened.session.release();
  }
}

/** The dense-attention baseline: the same layers with full n × n attention (dense-graph.ts). */
async function denseAt(workDir: string, length: number, settings: BenchSettings): Promise<TimedResult> {
  const config = benchConfig(settings.model, settings.longest);
  const path = join(workDir, 'dense.onnx');
  // Weights in an external file, as the engine's cache keeps them: large's encoder is 1.2 GB.
  const external = new ExternalDataFile(join(workDir, 'dense-weights.bin'));
  try {
    await writeFile(path, serializeModel(buildDenseEncoderGraph(config, syntheticWeights(config, 1)), { external }));
  } finally {
    external.close();
  }
  const opened = await createSessionWithFallback(
    path,
    settings.provider,
    settings.threads === undefined ? {} : { threads: settings.threads },
  );
  try {
    const hidden = new Float32Array(length * config.hiddenSize);
    for (let i = 0; i < hidden.length; i += 1) hidden[i] = Math.sin(i * 0.37);
    const feed = { [DENSE_INPUT]: new OrtTensor('float32', hidden, [1, length, config.hiddenSize]) };
    const { runMs } = await timeRuns(settings.runs, async () => {
      await opened.session.run(feed, [DENSE_OUTPUT]);
    });
    return { kind: 'dense', length, runMs, medianMs: median(runMs), provider: opened.provider, peakRssMb: peakRssMb() };
  } finally {
    await opened.session.release();
  }
}

/** The MatMul probe's throughput in GFLOP/s from its median time. */
export function matMulGflops(settings: BenchSettings, result: TimedResult): number {
  return denseLayerFlops(benchConfig(settings.model, settings.longest), result.length) / (result.medianMs / 1000) / 1e9;
}
