// Root hook of `npm run test:webgpu` (test/webgpu/.mocharc.json): before any suite runs on WebGPU, an engine is opened
// on it. Without a WebGPU adapter the run is skipped with a note, except in CI (CI=true), where it fails: CI installs
// Mesa's software Vulkan driver (scripts/ci/install-vulkan.sh) precisely so that this suite runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'mocha';
import { openEngine } from '../../src/core/runtime/open';
import { TEST_PROVIDER } from './provider';

const FIXTURE = join(__dirname, '..', 'fixtures', 'longformer-ref', 'base-tiny');

/** Why no WebGPU engine can be opened here, or undefined when one can. */
async function webGpuUnavailable(cacheDir: string): Promise<string | undefined> {
  try {
    const engine = await openEngine(FIXTURE, { provider: 'webgpu', threads: 1, cacheDir });
    await engine.dispose();
    return engine.provider === 'webgpu' ? undefined : (engine.providerNote ?? `the engine opened on ${engine.provider}`);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export const mochaHooks = {
  async beforeAll(this: Context): Promise<void> {
    this.timeout(120_000);
    if (TEST_PROVIDER !== 'webgpu') throw new Error('the WebGPU run needs LENS_TEST_PROVIDER=webgpu (npm run test:webgpu sets it).');
    const cacheDir = await mkdtemp(join(tmpdir(), 'lens-webgpu-gate-'));
    const reason = await webGpuUnavailable(cacheDir).finally(() => rm(cacheDir, { recursive: true, force: true }));
    if (reason === undefined) return;
    const install = 'Install a Vulkan driver (CI: sudo bash scripts/ci/install-vulkan.sh installs Mesa >= 25 lavapipe).';
    if (process.env['CI'] === 'true') throw new Error(`WebGPU suite: no WebGPU adapter (${reason}). ${install}`);
    process.stdout.write(`\n  NOTE: WebGPU suite SKIPPED: no WebGPU adapter here (${reason}). ${install}\n\n`);
    this.skip();
  },
};
