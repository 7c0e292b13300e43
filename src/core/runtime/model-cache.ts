// The generated ONNX models live in a disk cache keyed by a hash of the weights, the config and the graph version,
// so a second start skips building and serializing. One folder per key holds the three graph variants (without
// attention outputs, with them per head, with per-token sums for every layer and head) over one shared external
// weights file; folders are written under a temporary name
// and renamed into place, so a crashed or concurrent build never leaves a half-written entry behind.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { LongformerConfig } from '../checkpoint/config';
import type { StateDict } from '../checkpoint/tensor';
import { throwIfCancelled } from '../errors';
import { ExternalDataFile } from '../graph/external-data-file';
import { type AttentionOutputs, buildLongformerGraph } from '../graph/longformer/model';
import { serializeModel } from '../graph/serialize';
import type { Precision } from '../precision';
import { calibrateInt8 } from './int8-calibration';
import { ATTENTIONS_MODEL_FILE, MODEL_FILE, TOKEN_SCORES_MODEL_FILE, WEIGHTS_FILE } from './cache-files';

/** Bump whenever the generated graph changes, so stale cache entries are not reused. */
export const GRAPH_VERSION = 'longformer-graph-16';

export { ATTENTIONS_MODEL_FILE, MODEL_FILE, TOKEN_SCORES_MODEL_FILE, WEIGHTS_FILE } from './cache-files';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CACHE_HOME'] !== undefined && env['XDG_CACHE_HOME'] !== '' ? env['XDG_CACHE_HOME'] : join(homedir(), '.cache');
  return join(base, 'longformer-lens');
}

export function graphCacheKey(config: LongformerConfig, weights: StateDict, precision: Precision): string {
  const hash = createHash('sha256');
  hash.update(`${GRAPH_VERSION}\n${precision}\n${JSON.stringify(config)}\n`);
  for (const name of [...weights.keys()].sort()) {
    const tensor = weights.get(name);
    if (tensor === undefined) continue;
    hash.update(`${name}:${tensor.dtype}:${tensor.shape.join('x')}\n`);
    hash.update(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
  }
  return hash.digest('hex').slice(0, 32);
}

export interface CachedModel {
  readonly directory: string;
  readonly modelPath: string;
  readonly attentionsModelPath: string;
  /** The variant with every layer and head's per-token attention sums (graph/longformer/token-scores.ts). */
  readonly tokenScoresModelPath: string;
  /** True when the entry was already on disk and nothing was built. */
  readonly hit: boolean;
  /** The graph cache key (a hash of the graph version, the config and the weights). */
  readonly key: string;
}

const VARIANTS: readonly (readonly [string, AttentionOutputs])[] = [
  [MODEL_FILE, 'none'],
  [ATTENTIONS_MODEL_FILE, 'per-head'],
  [TOKEN_SCORES_MODEL_FILE, 'token-scores'],
];
const CACHE_FILES = [...VARIANTS.map(([file]) => file), WEIGHTS_FILE];

function cacheEntry(cacheDir: string, key: string, hit: boolean): CachedModel {
  const directory = join(cacheDir, 'onnx', key);
  return {
    directory,
    modelPath: join(directory, MODEL_FILE),
    attentionsModelPath: join(directory, ATTENTIONS_MODEL_FILE),
    tokenScoresModelPath: join(directory, TOKEN_SCORES_MODEL_FILE),
    hit,
    key,
  };
}

function isComplete(directory: string): boolean {
  return CACHE_FILES.every((file) => existsSync(join(directory, file)));
}

/** The complete entry for a key, if the cache holds one. */
export function findCachedModel(cacheDir: string, key: string): CachedModel | undefined {
  const entry = cacheEntry(cacheDir, key, true);
  return isComplete(entry.directory) ? entry : undefined;
}

export async function ensureCachedModel(
  config: LongformerConfig,
  weights: StateDict,
  cacheDir: string,
  precision: Precision,
  signal?: AbortSignal,
): Promise<CachedModel> {
  const key = graphCacheKey(config, weights, precision);
  const graphsDir = join(cacheDir, 'onnx');
  const directory = join(graphsDir, key);
  const complete = (): boolean => isComplete(directory);
  if (complete()) return cacheEntry(cacheDir, key, true);
  // An entry with files missing (deleted by hand) is replaced.
  if (existsSync(directory)) await rm(directory, { recursive: true, force: true });

  await mkdir(graphsDir, { recursive: true });
  const staging = join(graphsDir, `${key}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(staging);
  try {
    // int8 rounds its weights with Gram blocks measured by the float32 graph (int8-calibration.ts).
    const int8Calibration =
      precision === 'int8'
        ? await calibrateInt8(config, weights, join(staging, 'calibration'), signal === undefined ? {} : { signal })
        : undefined;
    const external = new ExternalDataFile(join(staging, WEIGHTS_FILE));
    try {
      for (const [file, attentions] of VARIANTS) {
        throwIfCancelled(signal);
        // Masked-LM logits at the positions a run names (RunOptions.logitPositions), never the whole (S, V) table unasked.
        const graph = buildLongformerGraph(config, weights, {
          attentions,
          precision,
          logits: 'at-positions',
          ...(int8Calibration === undefined ? {} : { int8Calibration }),
        });
        await writeFile(
          join(staging, file),
          serializeModel(graph, { external, metadata: { graph_version: GRAPH_VERSION, cache_key: key } }),
        );
      }
    } finally {
      external.close();
    }
    try {
      await rename(staging, directory);
    } catch (error) {
      // Another process finished the same entry first; its copy is identical.
      if (!complete()) throw error;
      await rm(staging, { recursive: true, force: true });
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return cacheEntry(cacheDir, key, false);
}
