// The repository's commit and file list for a revision, from `{endpoint}/api/models/{repo}/revision/{rev}`.
import { LensError } from '../errors';
import { isCommitHash } from './repo-spec';
import type { HubClient } from './hub-client';

export interface RepoInfo {
  /** The full commit hash the revision resolved to. */
  readonly commit: string;
  /** Repository-relative paths (`rfilename`). */
  readonly files: readonly string[];
}

export function repoApiUrl(endpoint: string, repoId: string, revision: string): string {
  return `${endpoint}/api/models/${repoId}/revision/${encodeURIComponent(revision)}`;
}

export async function fetchRepoInfo(client: HubClient, repoId: string, revision: string): Promise<RepoInfo> {
  const url = repoApiUrl(client.endpoint, repoId, revision);
  const body = await client.getJson(url, { repoId, revision });
  const record = typeof body === 'object' && body !== null ? (body as { sha?: unknown; siblings?: unknown }) : {};
  const { sha, siblings } = record;
  if (typeof sha !== 'string' || !isCommitHash(sha) || !Array.isArray(siblings)) {
    throw new LensError(
      'HUB_ERROR',
      `The hub's description of ${repoId}@${revision} lacks a commit hash or a file list.`,
      `Check that HF_ENDPOINT (${client.endpoint}) is the HuggingFace hub or a faithful mirror.`,
    );
  }
  const files = siblings.flatMap((sibling: unknown) => {
    const name = typeof sibling === 'object' && sibling !== null ? (sibling as { rfilename?: unknown }).rfilename : undefined;
    return typeof name === 'string' ? [name] : [];
  });
  return { commit: sha, files };
}
