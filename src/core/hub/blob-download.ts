// Fetches one file's bytes into blobs/{etag}: into `{etag}.incomplete` first, resumed with a Range request after an
// interruption, checked for size and (for LFS files) SHA-256, and only then renamed into place, so that a blob in
// the cache is always whole and correct.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LensError } from '../errors';
import { acquireBlobLock, blobLockPath } from './blob-lock';
import { exists } from './cache-store';
import { header, type HubClient, type HubResponse } from './hub-client';
import { describeCause } from './hub-errors';
import { ProgressReporter, reportCached, type ProgressListener } from './progress';
import type { RepoCache } from './cache-layout';
import type { FileMetadata } from './file-metadata';

export interface BlobDownloadOptions {
  readonly repoId: string;
  readonly revision: string;
  readonly onProgress?: ProgressListener | undefined;
  /** Automatic resumptions after a dropped connection within this call (default 2). */
  readonly retries?: number | undefined;
}

const MAX_REDIRECTS = 5;

/** A dropped connection: the bytes so far are kept and the next attempt resumes from them. */
class Interrupted extends LensError {}

export async function downloadBlob(client: HubClient, cache: RepoCache, meta: FileMetadata, options: BlobDownloadOptions): Promise<string> {
  const blob = cache.blobPath(meta.etag);
  if (await exists(blob)) {
    reportCached(options.onProgress, meta.path, meta.size);
    return blob;
  }
  await mkdir(dirname(blob), { recursive: true });
  const lock = await acquireBlobLock(blobLockPath(cache.locksDir, meta.etag), client.signal, () =>
    client.log(`waiting for another process downloading ${meta.path} (${meta.etag})`),
  );
  try {
    // Whoever held the lock before us may have finished this very blob.
    if (await exists(blob)) {
      reportCached(options.onProgress, meta.path, meta.size);
      return blob;
    }
    const attempts = 1 + Math.max(0, options.retries ?? 2);
    let digest: string | undefined;
    for (let attempt = 1; ; attempt += 1) {
      try {
        digest = await fetchIntoIncomplete(client, cache, meta, options, () => lock.assertHeld());
        break;
      } catch (error) {
        if (!(error instanceof Interrupted) || attempt >= attempts) throw error;
        client.log(`${meta.path}: ${error.message} Resuming (attempt ${attempt + 1} of ${attempts}).`);
      }
    }
    await verifyIncomplete(cache, meta, digest);
    lock.assertHeld();
    await rename(cache.incompletePath(meta.etag), blob);
    return blob;
  } finally {
    await lock.release();
  }
}

/** Returns the SHA-256 of the whole `.incomplete` file for LFS files (hashed as the bytes arrive), else undefined. */
async function fetchIntoIncomplete(
  client: HubClient,
  cache: RepoCache,
  meta: FileMetadata,
  options: BlobDownloadOptions,
  assertHeld: () => void,
): Promise<string | undefined> {
  const incomplete = cache.incompletePath(meta.etag);
  let start = await sizeOf(incomplete);
  if (start > meta.size) {
    await truncate(incomplete, 0);
    start = 0;
  }
  // Hashing while downloading spares a second pass over a multi-gigabyte file; a resumed file's earlier bytes are
  // hashed from disk first.
  let hash: Hash | undefined = meta.sha256 === undefined ? undefined : start > 0 ? await hashOfFile(incomplete) : createHash('sha256');
  if (start === meta.size && start > 0) return hash?.digest('hex'); // a previous attempt got every byte
  const response = await getFollowingRedirects(client, cache, meta, start, options);
  if (response.statusCode === 200 && start > 0) {
    client.log(`${meta.path}: the server ignored the Range request; downloading from the start.`);
    start = 0;
    if (hash !== undefined) hash = createHash('sha256');
  } else if (response.statusCode === 206 && !contentRangeStartsAt(header(response, 'content-range'), start)) {
    await response.body.dump().catch(() => undefined);
    await rm(incomplete, { force: true });
    throw new Interrupted(
      'HUB_ERROR',
      `The server answered the resume of ${meta.path} with the wrong byte range.`,
      'Run again to download it from the start.',
    );
  }

  const file = await open(incomplete, start === 0 ? 'w' : 'a');
  const progress = new ProgressReporter(options.onProgress, meta.path, meta.size, start);
  let done = start;
  let oversized = false;
  try {
    progress.update(done, true);
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      assertHeld();
      if (done + chunk.length > meta.size) {
        oversized = true;
        throw new LensError(
          'HUB_ERROR',
          `The server sent more than the announced ${meta.size} bytes of ${meta.path}.`,
          'Run again; if it repeats, the mirror or proxy is serving a different file.',
        );
      }
      await file.write(chunk);
      hash?.update(chunk);
      done += chunk.length;
      progress.update(done);
    }
    progress.update(done, true);
  } catch (error) {
    // On cancellation or a dropped connection the bytes so far stay in `.incomplete` for the next attempt.
    client.throwIfCancelled();
    if (oversized) await rm(incomplete, { force: true });
    if (error instanceof LensError) throw error;
    throw new Interrupted(
      'HUB_ERROR',
      `The connection dropped after ${done} of ${meta.size} bytes of ${meta.path} (${client.redact(describeCause(error))}).`,
      'Run again: the download resumes where it stopped.',
    );
  } finally {
    await file.close();
  }
  if (done < meta.size) {
    throw new Interrupted(
      'HUB_ERROR',
      `The download of ${meta.path} ended after ${done} of ${meta.size} bytes.`,
      'Run again: the download resumes where it stopped.',
    );
  }
  return hash?.digest('hex');
}

async function getFollowingRedirects(
  client: HubClient,
  cache: RepoCache,
  meta: FileMetadata,
  start: number,
  options: BlobDownloadOptions,
): Promise<HubResponse> {
  let url = meta.downloadUrl;
  const range: Record<string, string> = start > 0 ? { range: `bytes=${start}-` } : {};
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    const response = await client.send('GET', url, range);
    const location = header(response, 'location');
    if (response.statusCode >= 300 && response.statusCode < 400 && location !== undefined) {
      await response.body.dump().catch(() => undefined);
      url = new URL(location, url).toString();
      continue;
    }
    if (response.statusCode === 200 || response.statusCode === 206) return response;
    if (response.statusCode === 416) {
      // Our partial file does not fit the file on the server any more; start over.
      await response.body.dump().catch(() => undefined);
      await rm(cache.incompletePath(meta.etag), { force: true });
      throw new Interrupted(
        'HUB_ERROR',
        `The server refused to resume ${meta.path} (HTTP 416).`,
        'Run again to download it from the start.',
      );
    }
    throw await client.failure(response, { repoId: options.repoId, revision: options.revision, path: meta.path });
  }
  throw new LensError('HUB_ERROR', `Too many redirects while downloading ${meta.path}.`, 'Try again later.');
}

async function verifyIncomplete(cache: RepoCache, meta: FileMetadata, actual: string | undefined): Promise<void> {
  const incomplete = cache.incompletePath(meta.etag);
  const size = await sizeOf(incomplete);
  if (size !== meta.size) {
    await rm(incomplete, { force: true });
    throw new LensError(
      'HUB_ERROR',
      `The downloaded ${meta.path} has ${size} bytes where the hub announced ${meta.size}; the partial file was deleted.`,
      'Run again to download it afresh.',
    );
  }
  if (meta.sha256 === undefined) return;
  if (actual !== meta.sha256) {
    await rm(incomplete, { force: true });
    throw new LensError(
      'HUB_ERROR',
      `The downloaded ${meta.path} is corrupted: its SHA-256 is ${actual}, the hub announced ${meta.sha256}. The corrupted download was deleted and nothing was added to the cache.`,
      'Run again; if it repeats, a proxy or mirror is altering the file.',
    );
  }
}

async function hashOfFile(path: string): Promise<Hash> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function contentRangeStartsAt(value: string | undefined, start: number): boolean {
  return value !== undefined && new RegExp(`^bytes ${start}-`).test(value.trim());
}
