// Brings a hub repository's inference files into the cache and returns the snapshot folder that holds them.
import { readFile, stat } from 'node:fs/promises';
import type { Dispatcher } from 'undici';
import { LensError } from '../errors';
import { RepoCache } from './cache-layout';
import { findCachedSnapshot } from './cached-snapshot';
import { exists, linkIntoSnapshot, writeRef } from './cache-store';
import { downloadBlob } from './blob-download';
import { fetchFileMetadata } from './file-metadata';
import type { HubClient, HubLog } from './hub-client';
import { resolveHubSettings, type HubSettings, type HubSettingsInput } from './hub-settings';
import { reportCached, type ProgressListener } from './progress';
import { withRepoInfo } from './repo-info';
import { isCommitHash, parseRepoSpec, type RepoSpec } from './repo-spec';
import { selectInferenceFiles, shardsOfIndex } from './select-files';

export interface DownloadOptions extends HubSettingsInput {
  /** Overrides the revision in the spec (`org/name@rev`). */
  readonly revision?: string | undefined;
  readonly onProgress?: ProgressListener | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Receives one line per request and decision; the token is redacted from every line. */
  readonly log?: HubLog | undefined;
  /** HTTP dispatcher; default undici's EnvHttpProxyAgent (HTTPS_PROXY, HTTP_PROXY, NO_PROXY). */
  readonly dispatcher?: Dispatcher | undefined;
  /** Automatic resumptions per file after a dropped connection (default 2). */
  readonly retries?: number | undefined;
}

export interface DownloadResult {
  readonly repoId: string;
  readonly revision: string;
  readonly commit: string;
  /** `{cache}/models--org--name/snapshots/{commit}`: a checkpoint folder the engine can open. */
  readonly snapshotDir: string;
  /** Repository paths in the snapshot that inference uses. */
  readonly files: readonly string[];
  /** True when nothing had to be transferred. */
  readonly fromCache: boolean;
}

export async function downloadModel(spec: string | RepoSpec, options: DownloadOptions = {}): Promise<DownloadResult> {
  const parsed = typeof spec === 'string' ? parseRepoSpec(spec) : spec;
  const revision = options.revision ?? parsed.revision;
  const repoId = parsed.repoId;
  const settings = resolveHubSettings(options);
  const cache = new RepoCache(settings.cacheDir, repoId);
  const fromCache = async (): Promise<DownloadResult | string> => {
    const lookup = await findCachedSnapshot(cache, revision);
    return lookup.found ? { repoId, revision, ...lookup.snapshot, fromCache: true } : lookup.reason;
  };

  if (settings.offline) {
    const cached = await fromCache();
    if (typeof cached !== 'string') return cached;
    throw new LensError(
      'OFFLINE',
      `${repoId}@${revision} is not available offline: ${cached} (cache ${settings.cacheDir}).`,
      `Unset HF_HUB_OFFLINE and download it once (longformer-lens download ${repoId}@${revision}), or pass a checkpoint folder.`,
    );
  }
  // A commit never moves, so a complete snapshot of it needs no question to the hub.
  if (isCommitHash(revision)) {
    const cached = await fromCache();
    if (typeof cached !== 'string') return cached;
  }

  const fromCacheOnly = async (): Promise<DownloadResult | undefined> => {
    const cached = await fromCache();
    return typeof cached === 'string' ? undefined : cached;
  };
  return withRepoInfo({ repoId, revision, settings, client: options }, fromCacheOnly, (client, info) =>
    fetchSnapshot(client, cache, settings, { repoId, revision, commit: info.commit, files: info.files }, options),
  );
}

interface Target {
  readonly repoId: string;
  readonly revision: string;
  readonly commit: string;
  readonly files: readonly string[];
}

async function fetchSnapshot(
  client: HubClient,
  cache: RepoCache,
  settings: HubSettings,
  target: Target,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const { repoId, revision, commit } = target;
  const selection = selectInferenceFiles(repoId, target.files);
  const wanted = [
    selection.config,
    ...selection.tokenizer,
    selection.weights.kind === 'single' ? selection.weights.path : selection.weights.indexPath,
  ];
  let transferred = false;

  const ensure = async (path: string): Promise<void> => {
    client.throwIfCancelled();
    const pointer = cache.snapshotFile(commit, path);
    // Already in this commit's snapshot (from us or from Python): no request at all.
    if (await exists(pointer)) {
      reportCached(options.onProgress, path, (await stat(pointer)).size);
      return;
    }
    const meta = await fetchFileMetadata(client, { repoId, revision, path }, commit);
    const blob = await downloadBlob(client, cache, meta, { repoId, revision, onProgress: options.onProgress, retries: options.retries });
    await linkIntoSnapshot(blob, pointer);
    transferred = true;
  };

  for (const path of wanted) await ensure(path);
  const files = [...wanted];
  if (selection.weights.kind === 'sharded') {
    const indexPath = selection.weights.indexPath;
    const shards = shardsOfIndex(indexPath, await readFile(cache.snapshotFile(commit, indexPath), 'utf8'));
    const listed = new Set(target.files);
    const missing = shards.filter((shard) => !listed.has(shard));
    if (missing.length > 0) {
      throw new LensError(
        'NOT_FOUND',
        `${repoId}@${revision}: ${indexPath} names shards the repository does not have (${missing.slice(0, 3).join(', ')}).`,
        'The repository is incomplete at this revision; try another revision.',
      );
    }
    for (const shard of shards) await ensure(shard);
    files.push(...shards);
  }
  await writeRef(cache, revision, commit);
  client.log(`${repoId}@${revision} -> ${cache.snapshotDir(commit)} (cache ${settings.cacheDir})`);
  return { repoId, revision, commit, snapshotDir: cache.snapshotDir(commit), files, fromCache: !transferred };
}
