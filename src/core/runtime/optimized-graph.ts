// onnxruntime optimizes a graph (fusions, constant folding) and prepacks its MatMul weights every time a session is
// created from it: for the base model on the CPU that was most of a warm open (2.5 s, of which prepacking 1.4 s, on
// one core; bench/README.md "Start"). So the first CPU session saves its optimized graph (onnxruntime's
// `optimizedModelFilePath`) in the graph's cache entry, and later sessions open that instead. Two forms:
// - the main graph (every task's first session) is saved with its weights, prepacked ones included, in a weights
//   file of its own (`session.save_external_prepacked_constant_initializers`): onnxruntime then maps them from disk
//   instead of packing them (base: open 2.5 → 1.0 s, at the cost of about 1 GB more on disk; about 0.7-1.2 s for a
//   model of 4,096 tokens, whose heads run in fewer groups, self-attention.ts);
// - the variants with attention outputs, opened only for the overlay and for attention in `ask`, keep the light
//   form: the optimized graph alone, reading the unchanged weights from the cached weights.bin.
// Only on the CPU provider: a GPU provider's saved graph would carry its own node assignment. The names hold a hash
// of onnxruntime's version and the machine (its CPU's name and instruction sets, cpu-features.ts), because an
// optimized graph (and a prepacked weight) may use kernels of this onnxruntime build and this CPU. So an upgrade of
// onnxruntime, or a cache moved to another kind of CPU, leaves the old forms behind (1 GB each for the base model):
// every open marks its own form as used, and removes the forms of the same graph that no open has used for
// STALE_AFTER_DAYS (a cache shared by two kinds of host keeps both), and staging folders of crashed saves.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { cpus } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-common';
import { cpuKernelFlags } from './cpu-features';
import { MODEL_FILE } from './cache-files';
import { onnxruntimeVersion } from './ort-runtime';

/** The provider whose optimized graphs are kept. */
export const OPTIMIZED_GRAPH_PROVIDER = 'cpu';

/** In the folder of a prepacked optimized graph: the graph, and the weights file it names. */
const PREPACKED_GRAPH_FILE = 'model.onnx';
const PREPACKED_WEIGHTS_FILE = 'weights.data';

/** A saved form of another onnxruntime build or CPU that no open has used for this long is removed. */
export const STALE_AFTER_DAYS = 30;
/** A staging folder or file older than this belongs to a save that crashed (a save takes seconds to minutes). */
const DEAD_STAGING_HOURS = 24;

/** Where the optimized form of one graph is kept for this onnxruntime build and machine, and in which form. */
interface OptimizedLocation {
  /** The file (light form) or folder (prepacked form) that is written, renamed into place and removed as one. */
  readonly entry: string;
  /** The optimized graph itself. */
  readonly graph: string;
  /** The main graph keeps its prepacked weights in its folder; the attention variants keep the light form. */
  readonly prepacked: boolean;
}

/** The beginning of the name of every optimized form of `modelPath`, whatever the build and machine. */
function formPrefix(modelPath: string): string {
  return `${basename(modelPath, '.onnx')}.optimized-cpu-`;
}

function optimizedLocation(modelPath: string): OptimizedLocation {
  const machine = createHash('sha256')
    .update(
      `${onnxruntimeVersion()}\n${process.platform}\n${process.arch}\n${cpus()[0]?.model ?? 'unknown cpu'}\n${cpuKernelFlags().join(' ')}`,
    )
    .digest('hex')
    .slice(0, 12);
  const name = join(dirname(modelPath), `${formPrefix(modelPath)}${machine}`);
  if (basename(modelPath) === MODEL_FILE) return { entry: name, graph: join(name, PREPACKED_GRAPH_FILE), prepacked: true };
  return { entry: `${name}.onnx`, graph: `${name}.onnx`, prepacked: false };
}

/** Where the optimized graph of `modelPath` is kept: in a folder of its own with its weights, or beside it. */
export function optimizedGraphPath(modelPath: string): string {
  return optimizedLocation(modelPath).graph;
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
  const { entry, graph, prepacked } = optimizedLocation(modelPath);
  await removeStaleForms(modelPath, entry);
  if (existsSync(graph)) {
    try {
      const session = await create(graph, options);
      const now = new Date();
      await utimes(entry, now, now).catch(() => undefined); // marks it as used (removeStaleForms)
      return session;
    } catch {
      // damaged: removed below and made again
    }
  }
  // Nothing there, a form that did not open, or a folder that lost its graph: a folder left in place would keep
  // the new one from being renamed there, on every open.
  await rm(entry, { recursive: true, force: true });
  // Written under a temporary name in the same folder and renamed into place, so a concurrent or interrupted open
  // never leaves a half-written graph under the real name. The light form names the weights file beside it, so it
  // is staged in the same folder; the prepacked form is staged as a whole folder.
  const staging = `${entry}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  let session: InferenceSession;
  try {
    if (prepacked) await mkdir(staging);
    session = await create(
      modelPath,
      prepacked ? savingPrepacked(options, join(staging, PREPACKED_GRAPH_FILE)) : { ...options, optimizedModelFilePath: staging },
    );
  } catch {
    await rm(staging, { recursive: true, force: true });
    return create(modelPath, options);
  }
  // A concurrent open may have put its copy in place first (renaming onto a folder fails then): either copy is good.
  await rename(staging, entry).catch(() => rm(staging, { recursive: true, force: true }));
  return session;
}

/** Session options that save the optimized graph to `path` with every weight, prepacked ones too, in one file beside it. */
function savingPrepacked(options: InferenceSession.SessionOptions, path: string): InferenceSession.SessionOptions {
  return {
    ...options,
    optimizedModelFilePath: path,
    extra: {
      ...options.extra,
      session: {
        optimized_model_external_initializers_file_name: PREPACKED_WEIGHTS_FILE,
        optimized_model_external_initializers_min_size_in_bytes: '1024',
        save_external_prepacked_constant_initializers: '1',
      },
    },
  };
}

/**
 * Removes the optimized forms of `modelPath` other than `keep` that no open has used for STALE_AFTER_DAYS, and
 * staging entries of saves that crashed. Best effort: what cannot be read or removed stays.
 */
async function removeStaleForms(modelPath: string, keep: string): Promise<void> {
  const now = Date.now();
  const folder = dirname(modelPath);
  const prefix = formPrefix(modelPath);
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    const path = join(folder, name);
    if (!name.startsWith(prefix) || path === keep) continue;
    const limitMs = name.includes('.tmp-') ? DEAD_STAGING_HOURS * 3_600_000 : STALE_AFTER_DAYS * 86_400_000;
    const modified = await stat(path).then(
      (info) => info.mtimeMs,
      () => now,
    );
    if (now - modified > limitMs) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}
