// Full-size benchmark: a synthetic checkpoint with longformer-base shapes (12 layers, hidden 768, 12 heads,
// intermediate 3072, window 512, ~149M parameters) is written to a temp folder and run on the CPU at several
// lengths. Each length runs in a fresh child process, so its peak RSS is its own. Beside it, in the same run, a
// plain onnxruntime MatMul graph with one encoder layer's dense shapes measures what this machine's MatMul does;
// the engine's time is printed as a ratio to the time its FLOPs would take at that throughput. No assertions:
// numbers vary by machine, ratios measured side by side are what to compare.
//
//   npx tsx bench/full-size.ts [--lengths 1024,2048,4096] [--threads N] [--runs 2]
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { FULL_SIZE_OPTIONS, syntheticConfig, writeSyntheticCheckpoint } from '../src/core/checkpoint/synthetic';
import { GraphBuilder } from '../src/core/graph/builder';
import { serializeModel } from '../src/core/graph/serialize';
import { floatTensor } from '../src/core/graph/tensor-data';
import type { ModelInputs } from '../src/core/runtime/engine';
import { openEngine } from '../src/core/runtime/open';

const config = syntheticConfig(FULL_SIZE_OPTIONS);
const HIDDEN = config.hiddenSize;
const INTERMEDIATE = config.intermediateSize;
const ONE_SIDED = (config.attentionWindow[0] ?? 512) / 2;

interface EngineResult {
  readonly kind: 'engine';
  readonly length: number;
  readonly openMs: number;
  readonly runMs: number[];
  readonly rssAfterOpenMb: number;
  readonly peakRssMb: number;
  readonly provider: string;
}

interface MatMulResult {
  readonly kind: 'matmul';
  readonly length: number;
  readonly runMs: number[];
  readonly gflopPerSecond: number;
  readonly peakRssMb: number;
}

type ChildResult = EngineResult | MatMulResult;

/** FLOPs of one encoder layer's dense projections (q, k, v, output, FFN in and out) for n tokens. */
function denseFlops(n: number): number {
  return 2 * n * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * INTERMEDIATE);
}

/**
 * FLOPs the whole encoder runs through MatMul: the dense projections plus the block-layout sliding window (scores
 * and context against 3w keys per query, DESIGN.md). Global rows (one token here) are negligible.
 */
function encoderFlops(n: number): number {
  const attention = 2 * 2 * n * 3 * ONE_SIDED * HIDDEN;
  return config.numHiddenLayers * (denseFlops(n) + attention);
}

function peakRssMb(): number {
  // resourceUsage().maxRSS is in kilobytes.
  return process.resourceUsage().maxRSS / 1024;
}

function benchInputs(length: number): ModelInputs {
  const inputIds = new BigInt64Array(length);
  // Deterministic token ids in [3, vocab): a linear congruential walk is enough to avoid a constant input.
  let state = 12345;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    inputIds[i] = BigInt(3 + (state % (config.vocabSize - 3)));
  }
  inputIds[0] = BigInt(config.bosTokenId);
  inputIds[length - 1] = BigInt(config.eosTokenId);
  const globalAttentionMask = new BigInt64Array(length);
  globalAttentionMask[0] = 1n; // classification-style: global attention on <s>
  return { batchSize: 1, seqLen: length, inputIds, attentionMask: new BigInt64Array(length).fill(1n), globalAttentionMask };
}

async function engineChild(modelDir: string, length: number, threads: number, runs: number): Promise<EngineResult> {
  const openStart = performance.now();
  const engine = await openEngine(modelDir, { provider: 'cpu', threads, cacheDir: join(modelDir, '..', 'cache') });
  const openMs = performance.now() - openStart;
  const rssAfterOpenMb = process.memoryUsage().rss / 1024 / 1024;
  const inputs = benchInputs(length);
  const runMs: number[] = [];
  let provider = '';
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    const out = await engine.run(inputs, ['last_hidden_state']);
    runMs.push(performance.now() - start);
    provider = out.provider;
  }
  await engine.dispose();
  return { kind: 'engine', length, openMs, runMs, rssAfterOpenMb, peakRssMb: peakRssMb(), provider };
}

/** One encoder layer's dense MatMuls (no attention, no elementwise work) as a plain onnxruntime graph. */
async function matMulChild(length: number, threads: number, runs: number): Promise<MatMulResult> {
  const b = new GraphBuilder('matmul-baseline');
  const weight = (name: string, rows: number, cols: number): ReturnType<GraphBuilder['initializer']> => {
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 1000) / 1e5 - 0.005;
    return b.initializer(name, floatTensor([rows, cols], data));
  };
  const x = b.input('x', 'float32', [length, HIDDEN]);
  // Four hidden x hidden projections from the same input, then the FFN pair; summed so nothing is dead code.
  let sum = b.matMul(x, weight('q', HIDDEN, HIDDEN));
  for (const name of ['k', 'v', 'o']) sum = b.add(sum, b.matMul(x, weight(name, HIDDEN, HIDDEN)));
  const up = b.matMul(sum, weight('ffn_in', HIDDEN, INTERMEDIATE));
  const down = b.matMul(up, weight('ffn_out', INTERMEDIATE, HIDDEN));
  b.output(down, 'y', 'float32', [length, HIDDEN]);
  const session = await ort.InferenceSession.create(serializeModel(b.build()), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const feed = { x: new ort.Tensor('float32', new Float32Array(length * HIDDEN).fill(0.01), [length, HIDDEN]) };
  await session.run(feed); // warm-up: the first run allocates
  const runMs: number[] = [];
  for (let r = 0; r < Math.max(runs, 3); r++) {
    const start = performance.now();
    await session.run(feed);
    runMs.push(performance.now() - start);
  }
  await session.release();
  const best = Math.min(...runMs);
  return { kind: 'matmul', length, runMs, gflopPerSecond: denseFlops(length) / (best / 1000) / 1e9, peakRssMb: peakRssMb() };
}

function runChild(args: string[]): ChildResult {
  const result = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), __filename, '--child', ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = result.stdout.split('\n').find((text) => text.startsWith('RESULT '));
  if (result.status !== 0 || line === undefined) {
    throw new Error(`child ${args.join(' ')} failed (status ${result.status}, signal ${result.signal}):\n${result.stderr}`);
  }
  return JSON.parse(line.slice('RESULT '.length)) as ChildResult;
}

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

async function parent(): Promise<void> {
  const lengths = option('lengths', '1024,2048,4096').split(',').map(Number);
  const threads = Number(option('threads', String(availableParallelism())));
  const runs = Number(option('runs', '2'));
  const dir = await mkdtemp(join(tmpdir(), 'lens-bench-'));
  try {
    const modelDir = join(dir, 'model');
    const writeStart = performance.now();
    await writeSyntheticCheckpoint(modelDir, config, 1);
    const writeMs = performance.now() - writeStart;
    console.log(
      `full-size synthetic checkpoint (${config.numHiddenLayers} layers, hidden ${HIDDEN}, window ${config.attentionWindow[0]}, ` +
        `vocab ${config.vocabSize}) written in ${(writeMs / 1000).toFixed(1)} s; cpu, ${threads} threads, ${runs} runs per length`,
    );
    console.log('length  open s  first run s  best run s  rss after open MB  peak RSS MB  MatMul GFLOP/s  best / MatMul-only time');
    for (const length of lengths) {
      const engine = runChild(['engine', modelDir, String(length), String(threads), String(runs)]);
      const matmul = runChild(['matmul', String(length), String(threads), String(runs)]);
      if (engine.kind !== 'engine' || matmul.kind !== 'matmul') throw new Error('children answered out of turn');
      const best = Math.min(...engine.runMs);
      const matMulOnlyMs = (encoderFlops(length) / (matmul.gflopPerSecond * 1e9)) * 1000;
      console.log(
        [
          String(length).padStart(6),
          (engine.openMs / 1000).toFixed(1).padStart(6),
          ((engine.runMs[0] ?? 0) / 1000).toFixed(2).padStart(11),
          (best / 1000).toFixed(2).padStart(10),
          engine.rssAfterOpenMb.toFixed(0).padStart(17),
          engine.peakRssMb.toFixed(0).padStart(11),
          matmul.gflopPerSecond.toFixed(1).padStart(14),
          (best / matMulOnlyMs).toFixed(2).padStart(23),
        ].join('  '),
      );
    }
    console.log(
      "best / MatMul-only time: the engine's best run over the time its MatMul FLOPs (dense + 3w-key block attention) " +
        'take at the plain MatMul throughput measured in the same run (1.0 = MatMul speed).',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function child(): Promise<void> {
  const [, kind, ...rest] = process.argv.slice(process.argv.indexOf('--child'));
  let result: ChildResult;
  if (kind === 'engine') {
    const [modelDir = '', length = '0', threads = '1', runs = '1'] = rest;
    result = await engineChild(modelDir, Number(length), Number(threads), Number(runs));
  } else {
    const [length = '0', threads = '1', runs = '1'] = rest;
    result = await matMulChild(Number(length), Number(threads), Number(runs));
  }
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

(process.argv.includes('--child') ? child() : parent()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
