// What the hub says about one file before we download it, read like huggingface_hub does: a HEAD on the `resolve`
// URL that does not follow the redirect to the CDN, because the headers that identify the file (X-Repo-Commit,
// X-Linked-Etag, X-Linked-Size) come on the hub's own redirect response, not on the CDN's.
import { LensError } from '../errors';
import { header, type HubClient, type RequestSubject } from './hub-client';

export interface FileMetadata {
  readonly path: string;
  /** Names the blob in the cache: the LFS SHA-256 for large files, the git blob id for small ones. */
  readonly etag: string;
  readonly size: number;
  /** Set for LFS files: the SHA-256 the downloaded bytes must have. */
  readonly sha256: string | undefined;
  /** Where the bytes are: the CDN location for LFS files, the resolve URL itself otherwise. */
  readonly downloadUrl: string;
  readonly commit: string | undefined;
}

const MAX_HUB_REDIRECTS = 5;

export function resolveFileUrl(endpoint: string, repoId: string, commit: string, path: string): string {
  return `${endpoint}/${repoId}/resolve/${encodeURIComponent(commit)}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** `W/"abc"` and `"abc"` both name the blob `abc`. */
export function normalizeEtag(value: string): string {
  return value
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
}

export async function fetchFileMetadata(
  client: HubClient,
  subject: RequestSubject & { path: string },
  commit: string,
): Promise<FileMetadata> {
  let url = resolveFileUrl(client.endpoint, subject.repoId, commit, subject.path);
  // Redirects that stay on the hub's origin (a renamed repository) are followed; one to another origin is the CDN,
  // and the file's identity is on this response.
  for (let hop = 0; hop <= MAX_HUB_REDIRECTS; hop += 1) {
    const response = await client.send('HEAD', url);
    await response.body.dump().catch(() => undefined);
    const location = header(response, 'location');
    const redirected = response.statusCode >= 300 && response.statusCode < 400 && location !== undefined;
    if (redirected && new URL(location, url).origin === new URL(url).origin) {
      url = new URL(location, url).toString();
      continue;
    }
    if (!redirected && response.statusCode !== 200) throw await client.failure(response, subject);
    return readMetadata(response, subject, redirected ? new URL(location, url).toString() : url);
  }
  throw new LensError(
    'HUB_ERROR',
    `The hub redirected ${subject.repoId}/${subject.path} more than ${MAX_HUB_REDIRECTS} times.`,
    'Try again later.',
  );
}

function readMetadata(
  response: Awaited<ReturnType<HubClient['send']>>,
  subject: RequestSubject & { path: string },
  downloadUrl: string,
): FileMetadata {
  const linkedEtag = header(response, 'x-linked-etag');
  const rawEtag = linkedEtag ?? header(response, 'etag');
  const rawSize = header(response, 'x-linked-size') ?? header(response, 'content-length');
  const size = rawSize === undefined ? Number.NaN : Number(rawSize);
  if (rawEtag === undefined || !Number.isSafeInteger(size) || size < 0) {
    throw new LensError(
      'HUB_ERROR',
      `The hub did not say what ${subject.repoId}/${subject.path} is (no ETag or size header).`,
      'A proxy between here and the hub may strip headers; check HTTPS_PROXY, or HF_ENDPOINT if you use a mirror.',
    );
  }
  const etag = normalizeEtag(rawEtag);
  const sha256 = linkedEtag !== undefined && /^[0-9a-f]{64}$/.test(etag) ? etag : undefined;
  return { path: subject.path, etag, size, sha256, downloadUrl, commit: header(response, 'x-repo-commit') };
}
