// Finds a usable checkpoint in the cache without the network: for HF_HUB_OFFLINE, for revisions pinned to a commit,
// and as the fallback when the hub cannot be reached. "Usable" means config.json plus one complete weight format,
// whichever program (this one or Python) put it there.
import { readFile } from 'node:fs/promises';
import { exists, readRef } from './cache-store';
import { shardsOfIndex } from './select-files';
import type { RepoCache } from './cache-layout';

export interface CachedSnapshot {
  readonly commit: string;
  readonly snapshotDir: string;
  /** Repository paths present in the snapshot that inference uses. */
  readonly files: readonly string[];
}

export type CacheLookup =
  | { readonly found: true; readonly snapshot: CachedSnapshot }
  /** Why not, in words fit for an error message. */
  | { readonly found: false; readonly reason: string };

const OPTIONAL = ['tokenizer.json', 'vocab.json', 'merges.txt', 'special_tokens_map.json', 'tokenizer_config.json', 'added_tokens.json'];
// Same preference as a download (select-files.ts): safetensors before PyTorch, a single file before shards.
const WEIGHTS = ['model.safetensors', 'model.safetensors.index.json', 'pytorch_model.bin', 'pytorch_model.bin.index.json'];

export async function findCachedSnapshot(cache: RepoCache, revision: string): Promise<CacheLookup> {
  const commit = await readRef(cache, revision);
  if (commit === undefined) return { found: false, reason: `the cache has no record of revision "${revision}"` };
  const has = (path: string): Promise<boolean> => exists(cache.snapshotFile(commit, path));
  if (!(await has('config.json'))) return { found: false, reason: `the cached snapshot ${commit.slice(0, 12)} lacks config.json` };
  const weights = await cachedWeights(cache, commit, has);
  if (weights === undefined) return { found: false, reason: `the cached snapshot ${commit.slice(0, 12)} lacks complete weights` };
  const optional: string[] = [];
  for (const path of OPTIONAL) if (await has(path)) optional.push(path);
  return { found: true, snapshot: { commit, snapshotDir: cache.snapshotDir(commit), files: ['config.json', ...optional, ...weights] } };
}

async function cachedWeights(cache: RepoCache, commit: string, has: (path: string) => Promise<boolean>): Promise<string[] | undefined> {
  for (const path of WEIGHTS) {
    if (!(await has(path))) continue;
    if (!path.endsWith('.index.json')) return [path];
    try {
      const shards = shardsOfIndex(path, await readFile(cache.snapshotFile(commit, path), 'utf8'));
      const present = await Promise.all(shards.map(has));
      if (present.every(Boolean)) return [path, ...shards];
    } catch {
      // A broken index in the cache is as good as no index.
    }
  }
  return undefined;
}
