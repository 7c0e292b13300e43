// Peak memory and time of one 4,096-token run on a base-size model (longformer-base-4096 shapes, random weights) for
// the attention overlay: the token-scores graph, which gives every layer and head's per-token sums (the whole score
// cube, graph/longformer/token-scores.ts), against a run without attention outputs. (The overlay's previous fetch,
// one layer with the heads combined inside a head-weighted graph, was measured beside them at commit 38ad7e8, the
// last with that graph: bench/README.md.) Each in a fresh child process so that
// its peak RSS is its own (sampled during the run); the graph is built once by the parent first, so the children only open it and run.
//
//   node --require tsx/cjs bench/attention-cube-memory.ts
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FULL_SIZE_OPTIONS, syntheticConfig, writeSyntheticCheckpoint } from '../src/core/checkpoint/synthetic';
import type { ModelInputs, ModelOutputs } from '../src/core/runtime/engine';
import { openEngine } from '../src/core/runtime/open';

const TOKENS = 4096;
const MODES = ['none', 'cube'] as const;
type Mode = (typeof MODES)[number];

function shortOf(inputs: ModelInputs, length: number): ModelInputs {
  return {
    batchSize: 1,
    seqLen: length,
    inputIds: inputs.inputIds.slice(0, length),
    attentionMask: inputs.attentionMask.slice(0, length),
    globalAttentionMask: inputs.globalAttentionMask.slice(0, length),
  };
}

async function child(mode: Mode, modelDir: string, cacheDir: string): Promise<void> {
  const engine = await openEngine(modelDir, { provider: 'cpu', cacheDir });
  const ids = BigInt64Array.from({ length: TOKENS }, (_, i) =>
    i === 0 ? 0n : i === TOKENS - 1 ? 2n : BigInt(1000 + ((i * 7919) % 40000)),
  );
  const inputs = {
    batchSize: 1,
    seqLen: TOKENS,
    inputIds: ids,
    attentionMask: new BigInt64Array(TOKENS).fill(1n),
    globalAttentionMask: BigInt64Array.from({ length: TOKENS }, (_, i) => (i === 0 ? 1n : 0n)),
  };
  // Opening the model peaks higher than any run (onnxruntime copies the initializers), so maxRSS would only show the
  // open: RSS is sampled during the run instead (the run executes off the JS thread).
  let runPeak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    runPeak = Math.max(runPeak, process.memoryUsage().rss);
  }, 10);
  const run = (batch: ModelInputs): Promise<ModelOutputs> =>
    mode === 'none'
      ? engine.run(batch, ['last_hidden_state'])
      : engine.run(batch, [], { tokenScores: { query: Math.min(100, batch.seqLen - 1) } });
  // A short run first: a variant's session is created on its first run and loads its own copy of the weights, which
  // is not what the 4,096-token run costs.
  await run(shortOf(inputs, 16));
  const opened = process.memoryUsage().rss;
  runPeak = opened;
  const started = performance.now();
  const out = await run(inputs);
  const ms = performance.now() - started;
  clearInterval(sampler);
  runPeak = Math.max(runPeak, process.memoryUsage().rss);
  const returned =
    [...out.tensors.values(), ...(out.attentions ?? []), ...(out.globalAttentions ?? [])].reduce((sum, t) => sum + t.data.byteLength, 0) +
    (out.tokenScores ?? []).reduce((sum, layer) => sum + Object.values(layer).reduce((s, t) => s + t.data.byteLength, 0), 0);
  process.stdout.write(JSON.stringify({ opened, peak: runPeak, ms, returned }));
  await engine.dispose();
}

async function main(): Promise<void> {
  const [, , role, mode, modelArg, cacheArg] = process.argv;
  if (role === 'child') return child(mode as Mode, modelArg!, cacheArg!);
  const dir = mkdtempSync(join(tmpdir(), 'lens-cube-memory-'));
  try {
    const modelDir = join(dir, 'model');
    await writeSyntheticCheckpoint(modelDir, syntheticConfig({ ...FULL_SIZE_OPTIONS, head: 'base' }), 1);
    const cacheDir = join(dir, 'cache');
    await (await openEngine(modelDir, { provider: 'cpu', cacheDir })).dispose();
    const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    const results = new Map<Mode, { opened: number; peak: number; ms: number; returned: number }>();
    // Twice in turn, so that a slower moment of the machine does not fall on one mode only; the second pass is kept.
    for (const mode of [...MODES, ...MODES]) {
      const output = execFileSync(process.execPath, ['--require', 'tsx/cjs', __filename, 'child', mode, modelDir, cacheDir], {
        encoding: 'utf8',
      });
      const r = JSON.parse(output) as { opened: number; peak: number; ms: number; returned: number };
      results.set(mode, r);
      process.stdout.write(
        `${mode.padEnd(9)}: peak RSS during the run ${mib(r.peak)}, ${mib(r.peak - r.opened)} above the ${mib(r.opened)} before it (session open), run ${(r.ms / 1000).toFixed(1)} s, returned ${mib(r.returned)}\n`,
      );
    }
    const cube = results.get('cube')!;
    const none = results.get('none')!;
    process.stdout.write(
      `cube / none: peak RSS ${(cube.peak / none.peak).toFixed(2)}x, above the open session ${((cube.peak - cube.opened) / (none.peak - none.opened)).toFixed(2)}x, time ${(cube.ms / none.ms).toFixed(2)}x\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
