// onnxruntime optimizes a graph (fusions, constant folding) every time a session is created from it: for the base model
// on the CPU that was a sixth of a warm open (2.0 → 1.6 s of CPU time, bench/README.md "Documents and start"). So the
// first CPU session saves its optimized graph beside the cached one (onnxruntime's `optimizedModelFilePath`), and later
// sessions open that file instead. Only on the CPU provider: a GPU provider's saved graph would carry its own node
// assignment. The file name holds a hash of onnxruntime's version and the machine, because an optimized graph may use
// kernels of this onnxruntime build and this CPU; it lives in the graph's cache entry, so it goes with it.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-common';
import { onnxruntimeVersion } from './ort-runtime';

/** The provider whose optimized graphs are kept. */
export const OPTIMIZED_GRAPH_PROVIDER = 'cpu';

/** Where the optimized form of `modelPath` is kept for this onnxruntime build and machine. */
export function optimizedGraphPath(modelPath: string): string {
  const machine = createHash('sha256')
    .update(`${onnxruntimeVersion()}\n${process.platform}\n${process.arch}\n${cpus()[0]?.model ?? 'unknown cpu'}`)
    .digest('hex')
    .slice(0, 12);
  return join(dirname(modelPath), `${basename(modelPath, '.onnx')}.optimized-cpu-${machine}.onnx`);
}

export type CreateSession = (path: string, options: InferenceSession.SessionOptions) => Promise<InferenceSession>;

/**
 * A session for `modelPath` that opens the saved optimized graph when there is one, and saves it when there is not.
 * A saved graph that no longer opens (damaged, or written by another build under the same name) is deleted and made
 * again; a cache folder that cannot be written only means nothing is saved.
 */
export async function createOptimizedSession(
  modelPath: string,
  options: InferenceSession.SessionOptions,
  create: CreateSession,
): Promise<InferenceSession> {
  const optimized = optimizedGraphPath(modelPath);
  if (existsSync(optimized)) {
    try {
      return await create(optimized, options);
    } catch {
      await rm(optimized, { force: true });
    }
  }
  // Written under a temporary name in the same folder (the optimized graph names the weights file beside it) and
  // renamed into place, so a concurrent or interrupted open never leaves a half-written graph under the real name.
  const staging = `${optimized}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  let session: InferenceSession;
  try {
    session = await create(modelPath, { ...options, optimizedModelFilePath: staging });
  } catch {
    await rm(staging, { force: true });
    return create(modelPath, options);
  }
  await rename(staging, optimized).catch(() => rm(staging, { force: true }));
  return session;
}
