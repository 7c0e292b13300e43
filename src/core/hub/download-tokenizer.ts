// Brings only a repository's tokenizer files into the cache, never its weights: for a checkpoint whose repository
// has no tokenizer (many 2020 fine-tunes), `--tokenizer org/name` takes them from another repository such as
// allenai/longformer-base-4096 or roberta-base. Same cache layout, refs and offline rules as downloadModel.
import { LensError } from '../errors';
import { downloadBlob } from './blob-download';
import { RepoCache } from './cache-layout';
import { exists, linkIntoSnapshot, readRef, writeRef } from './cache-store';
import type { DownloadOptions } from './download-model';
import { fetchFileMetadata } from './file-metadata';
import { resolveHubSettings } from './hub-settings';
import { withRepoInfo } from './repo-info';
import { isCommitHash, parseRepoSpec } from './repo-spec';
import { TOKENIZER_FILES } from './select-files';

/** A folder holds a usable tokenizer with tokenizer.json, or vocab.json and merges.txt. */
function isTokenizerSet(files: ReadonlySet<string>): boolean {
  return files.has('tokenizer.json') || (files.has('vocab.json') && files.has('merges.txt'));
}

/** Returns the snapshot folder that holds the repository's tokenizer files. */
export async function downloadTokenizer(spec: string, options: DownloadOptions = {}): Promise<string> {
  const { repoId, revision: specRevision } = parseRepoSpec(spec);
  const revision = options.revision ?? specRevision;
  const settings = resolveHubSettings(options);
  const cache = new RepoCache(settings.cacheDir, repoId);
  const fromCache = async (): Promise<string | undefined> => {
    const commit = await readRef(cache, revision);
    if (commit === undefined) return undefined;
    const present = new Set<string>();
    for (const file of TOKENIZER_FILES) if (await exists(cache.snapshotFile(commit, file))) present.add(file);
    return isTokenizerSet(present) ? cache.snapshotDir(commit) : undefined;
  };

  if (settings.offline || isCommitHash(revision)) {
    const cached = await fromCache();
    if (cached !== undefined) return cached;
    if (settings.offline) {
      throw new LensError(
        'OFFLINE',
        `The tokenizer of ${repoId}@${revision} is not in the cache (${settings.cacheDir}).`,
        'Unset HF_HUB_OFFLINE to download it once, or pass a folder with vocab.json and merges.txt.',
      );
    }
  }

  return withRepoInfo({ repoId, revision, settings, client: options }, fromCache, async (client, info) => {
    const listed = new Set(info.files);
    const wanted = TOKENIZER_FILES.filter((file) => listed.has(file));
    if (!isTokenizerSet(new Set(wanted))) {
      throw new LensError(
        'NOT_FOUND',
        `${repoId}@${revision} has no tokenizer files (tokenizer.json, or vocab.json with merges.txt).`,
        'Take the tokenizer from allenai/longformer-base-4096 or roberta-base.',
      );
    }
    for (const path of wanted) {
      client.throwIfCancelled();
      const pointer = cache.snapshotFile(info.commit, path);
      if (await exists(pointer)) continue;
      const meta = await fetchFileMetadata(client, { repoId, revision, path }, info.commit);
      const blob = await downloadBlob(client, cache, meta, { repoId, revision, onProgress: options.onProgress, retries: options.retries });
      await linkIntoSnapshot(blob, pointer);
    }
    await writeRef(cache, revision, info.commit);
    return cache.snapshotDir(info.commit);
  });
}
