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

/** Median document size from which a corpus counts as long (about 3,000 tokens of English). */
export const LONG_DOCUMENT_BYTES = 12_000;

/**
 * How to split the cores when the user does not say, as bench/batch-workers.ts measured on a 2-core machine: for
 * many short documents one single-threaded worker per core ran 1.5 to 2 times as fast as one worker with both
 * threads (onnxruntime's threads wait for each other in the many small operators of a short input); for long
 * documents (~3,700 tokens) the two were level within the noise (0.80x and 1.03x), so one worker with every core
 * is used there: it holds the model and the long input's activations once instead of once per core.
 */
export function planWorkers(cores: number, workers?: number, threads?: number, medianBytes = 0): WorkerPlan {
  const byDefault = medianBytes >= LONG_DOCUMENT_BYTES ? 1 : cores;
  const count = workers ?? Math.max(1, threads === undefined ? byDefault : Math.floor(cores / threads));
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
