// Engine processes for a batch run: N workers, each an engine worker process (dist/worker.js, the one the extension
// uses) with cores / N onnxruntime threads, so together they use every core once.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { LensError } from '../../core/errors';
import { WorkerClient } from '../../extension/worker-client';

export interface WorkerPlan {
  readonly workers: number;
  readonly threadsPerWorker: number;
}

/**
 * How to split the cores when the user does not say: one single-threaded worker per core (bench/batch-workers.ts
 * compares this with one worker using every core, side by side).
 */
export function planWorkers(cores: number, workers?: number, threads?: number): WorkerPlan {
  const count = workers ?? Math.max(1, threads === undefined ? cores : Math.floor(cores / threads));
  return { workers: count, threadsPerWorker: threads ?? Math.max(1, Math.floor(cores / count)) };
}

export function machineCores(): number {
  return availableParallelism();
}

/**
 * The worker bundle beside this one (dist/cli.js next to dist/worker.js); when running from the sources (tests,
 * tsx), the repository's built dist/worker.js.
 */
export function workerBundlePath(): string {
  const candidates = [join(__dirname, 'worker.js'), join(__dirname, '..', '..', '..', 'dist', 'worker.js')];
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) {
    throw new LensError(
      'NOT_FOUND',
      `the engine worker bundle is missing (looked for ${candidates.join(' and ')}).`,
      'Run `npm run build`.',
    );
  }
  return found;
}

export function startWorkers(count: number): WorkerClient[] {
  const workerPath = workerBundlePath();
  return Array.from({ length: count }, () => new WorkerClient({ workerPath }));
}
