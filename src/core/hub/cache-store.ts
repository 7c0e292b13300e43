// Writes and reads the small pieces of the cache around the blobs: refs and snapshot entries.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { isCommitHash } from './repo-spec';
import type { RepoCache } from './cache-layout';

/** The commit a branch or tag pointed to when it was last resolved, or undefined when it never was. */
export async function readRef(cache: RepoCache, revision: string): Promise<string | undefined> {
  if (isCommitHash(revision)) return revision;
  try {
    const commit = (await readFile(cache.refPath(revision), 'utf8')).trim();
    return isCommitHash(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}

/** Like huggingface_hub: only names that are not themselves commit hashes get a ref file (no trailing newline). */
export async function writeRef(cache: RepoCache, revision: string, commit: string): Promise<void> {
  if (revision === commit) return;
  const path = cache.refPath(revision);
  await mkdir(dirname(path), { recursive: true });
  // Write then rename, so a reader in another process never sees a half-written hash.
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, commit);
  await rename(temp, path);
}

/** True when the path exists and (if a symlink) points at something that exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Points `snapshots/{commit}/{path}` at the blob: a relative symlink (so the cache folder can be moved), or a plain
 * copy where the file system or the platform refuses symlinks (Windows without developer mode, some network drives).
 */
export async function linkIntoSnapshot(blobPath: string, snapshotFile: string, makeLink: typeof symlink = symlink): Promise<void> {
  await mkdir(dirname(snapshotFile), { recursive: true });
  const target = relative(dirname(snapshotFile), blobPath);
  // Already right (a parallel download of the same model linked it): leave it, so readers never see a gap.
  if ((await readlink(snapshotFile).catch(() => undefined)) === target && (await exists(snapshotFile))) return;
  // A dangling or stale entry (another revision, an interrupted copy) is replaced.
  await unlink(snapshotFile).catch(() => undefined);
  try {
    await makeLink(target, snapshotFile);
    return;
  } catch (error) {
    if (isAlreadyThere(error) && (await exists(snapshotFile))) return; // another process linked it meanwhile
  }
  const temp = `${snapshotFile}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await copyFile(blobPath, temp);
    await rename(temp, snapshotFile);
  } finally {
    await rm(temp, { force: true });
  }
}

function isAlreadyThere(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EEXIST';
}
