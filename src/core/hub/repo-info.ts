// The repository's commit and file list for a revision, from `{endpoint}/api/models/{repo}/revision/{rev}`.
import { LensError } from '../errors';
import { HubClient, type HubClientOptions } from './hub-client';
import { HubUnreachable } from './hub-errors';
import type { HubSettings } from './hub-settings';
import { isCommitHash } from './repo-spec';

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

/** What a download asks the hub about: a revision of a repository, with the settings and client options to ask with. */
export interface RepoQuery {
  readonly repoId: string;
  readonly revision: string;
  readonly settings: HubSettings;
  readonly client: Omit<HubClientOptions, 'endpoint' | 'token'>;
}

/**
 * Opens a client, asks the hub for the revision's commit and files, and hands both to `use`; closes the client after.
 * Like huggingface_hub, when the hub cannot be reached a cached copy of the revision is good enough: `cached` answers
 * instead, and the hub's error stands only when it has nothing.
 */
export async function withRepoInfo<T>(
  query: RepoQuery,
  cached: () => Promise<T | undefined>,
  use: (client: HubClient, info: RepoInfo) => Promise<T>,
): Promise<T> {
  const { repoId, revision, settings } = query;
  const { dispatcher, env, log, signal } = query.client;
  const client = new HubClient({ endpoint: settings.endpoint, token: settings.token, dispatcher, env, log, signal });
  try {
    let info;
    try {
      info = await fetchRepoInfo(client, repoId, revision);
    } catch (error) {
      if (!(error instanceof HubUnreachable)) throw error;
      const copy = await cached();
      if (copy === undefined) throw error;
      client.log(`${settings.endpoint} unreachable; using the cached copy of ${repoId}@${revision}.`);
      return copy;
    }
    return await use(client, info);
  } finally {
    await client.close();
  }
}
