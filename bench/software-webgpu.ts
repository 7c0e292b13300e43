// Why `auto` passes over a software WebGPU adapter: the same synthetic model and input on the CPU provider and on
// WebGPU (whatever adapter exists; on a machine without a GPU, Mesa's lavapipe), side by side in one process, the
// runs alternating so that a change in the machine's load hits both. Prints each provider's median and the ratio.
//
//   node --require tsx/cjs bench/software-webgpu.ts [tiny|base] [tokens] [runs]     (default: base 1024 3)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticCheckpoint } from '../src/core/checkpoint/synthetic';
import { benchConfig, benchInputs, median, type BenchModel } from '../src/core/bench/work';
import { openEngine, type OpenedEngine } from '../src/core/runtime/open';
import { identifyWebGpuAdapter } from '../src/core/runtime/webgpu-adapter';

async function main(): Promise<void> {
  const model = (process.argv[2] ?? 'base') as BenchModel;
  const tokens = Number(process.argv[3] ?? 1024);
  const runs = Number(process.argv[4] ?? 3);
  const config = benchConfig(model, tokens);
  const dir = await mkdtemp(join(tmpdir(), 'lens-software-webgpu-'));
  try {
    const modelDir = join(dir, 'model');
    const cacheDir = join(dir, 'cache');
    await writeSyntheticCheckpoint(modelDir, config, 1);
    const adapter = await identifyWebGpuAdapter(cacheDir);
    const engines: Record<'cpu' | 'webgpu', OpenedEngine> = {
      cpu: await openEngine(modelDir, { provider: 'cpu', cacheDir }),
      webgpu: await openEngine(modelDir, { provider: 'webgpu', cacheDir }),
    };
    try {
      if (engines.webgpu.provider !== 'webgpu') throw new Error(`no WebGPU adapter: ${engines.webgpu.providerNote ?? ''}`);
      const inputs = benchInputs(config, tokens);
      const times: Record<'cpu' | 'webgpu', number[]> = { cpu: [], webgpu: [] };
      // One warm-up run each (session warm-up, shader compilation), then alternating timed runs.
      for (let run = 0; run <= runs; run += 1) {
        for (const provider of ['cpu', 'webgpu'] as const) {
          const started = performance.now();
          await engines[provider].run(inputs, ['last_hidden_state']);
          if (run > 0) times[provider].push(performance.now() - started);
        }
      }
      const [cpu, webgpu] = [median(times.cpu), median(times.webgpu)];
      process.stdout.write(
        `${model} model (${config.numHiddenLayers} layers, hidden ${config.hiddenSize}), ${tokens} tokens, ${runs} runs each\n` +
          `WebGPU adapter: ${adapter === undefined ? 'not identified' : `${adapter.name ?? '?'} (${adapter.driver ?? '?'})`}\n` +
          `cpu    median ${cpu.toFixed(0)} ms  runs ${times.cpu.map((t) => t.toFixed(0)).join(', ')}\n` +
          `webgpu median ${webgpu.toFixed(0)} ms  runs ${times.webgpu.map((t) => t.toFixed(0)).join(', ')}\n` +
          `webgpu / cpu: ${(webgpu / cpu).toFixed(1)}x\n`,
      );
    } finally {
      await engines.cpu.dispose();
      await engines.webgpu.dispose();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
