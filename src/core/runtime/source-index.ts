// A second start of a model should not read and hash hundreds of megabytes of weights only to find the graph it
// built last time. The source index maps a fingerprint of the checkpoint folder (the graph version, config.json's
// bytes, and each weight file's path, size and modification time) to the graph cache key. Any change to a weight
// file changes its size or mtime and sends the open down the full path: read, hash, build if the hash is new.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findWeightFiles } from '../checkpoint/load';
import { GRAPH_VERSION } from './model-cache';
import type { Precision } from '../precision';

export interface SourceRecord {
  /** The graph cache key (model-cache.ts) built from these files. */
  readonly key: string;
  /** Whether the checkpoint has a pooler (it decides the base model's outputs). */
  readonly hasPooler: boolean;
}

/** Per precision: each precision has its own graph, so its own record. */
export async function checkpointFingerprint(dir: string, precision: Precision): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`${GRAPH_VERSION}\n${precision}\n`);
  hash.update(await readFile(join(dir, 'config.json')));
  const { files } = await findWeightFiles(dir);
  for (const file of files) {
    // stat follows symlinks: a huggingface_hub snapshot links to its blobs, whose size and mtime are what count.
    const info = await stat(file);
    hash.update(`\n${file}\t${info.size}\t${info.mtimeMs}`);
  }
  return hash.digest('hex').slice(0, 32);
}

function recordPath(cacheDir: string, fingerprint: string): string {
  return join(cacheDir, 'sources', `${fingerprint}.json`);
}

/** The record for a fingerprint, or undefined when there is none or it cannot be read (then the full path runs). */
export async function lookupSource(cacheDir: string, fingerprint: string): Promise<SourceRecord | undefined> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(recordPath(cacheDir, fingerprint), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { key, hasPooler } = json as Record<string, unknown>;
  return typeof key === 'string' && /^[0-9a-f]{32}$/.test(key) && typeof hasPooler === 'boolean' ? { key, hasPooler } : undefined;
}

export async function recordSource(cacheDir: string, fingerprint: string, record: SourceRecord): Promise<void> {
  const path = recordPath(cacheDir, fingerprint);
  await mkdir(join(cacheDir, 'sources'), { recursive: true });
  // Written beside and renamed, so a reader never sees half a record.
  const staging = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(staging, JSON.stringify(record));
  await rename(staging, path);
}
