// One writer per blob across processes (two VS Code windows, the CLI beside the extension). proper-lockfile makes
// the lock an atomically created directory whose mtime the holder refreshes; a lock left by a crashed process goes
// stale and is taken over. The name differs from huggingface_hub's `{etag}.lock` (a flock()ed regular file) so the
// two never trip over each other's lock objects.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { LensError } from '../errors';

export interface HeldLock {
  /** Throws when the lock was lost (the holder stalled past the stale time and another process took it over). */
  assertHeld(): void;
  release(): Promise<void>;
}

const STALE_MS = 30_000;
const UPDATE_MS = 5_000;
const POLL_MS = 200;

export function blobLockPath(locksDir: string, etag: string): string {
  return join(locksDir, `${etag}.lens-lock`);
}

/** Waits (as long as the holder is alive, or until the signal aborts) and takes the lock. */
export async function acquireBlobLock(lockPath: string, signal: AbortSignal | undefined, onWait?: () => void): Promise<HeldLock> {
  await mkdir(join(lockPath, '..'), { recursive: true });
  let lost: Error | undefined;
  let waited = false;
  for (;;) {
    if (signal?.aborted === true) throw new LensError('CANCELLED', 'Download cancelled.', 'Run it again to resume where it stopped.');
    try {
      const release = await lockfile.lock(lockPath, {
        lockfilePath: lockPath,
        realpath: false,
        stale: STALE_MS,
        update: UPDATE_MS,
        retries: 0,
        // The default handler throws from a timer; record it and fail the download at its next step instead.
        onCompromised: (error) => {
          lost = error;
        },
      });
      return {
        assertHeld: () => {
          if (lost !== undefined) {
            throw new LensError(
              'HUB_ERROR',
              `Lost the download lock ${lockPath}: ${lost.message}.`,
              'Another process took over this download; run again once it has finished.',
            );
          }
        },
        release: async () => {
          await release().catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ELOCKED') throw error;
    }
    if (!waited) onWait?.();
    waited = true;
    await sleep(POLL_MS, undefined, signal === undefined ? {} : { signal }).catch(() => undefined);
  }
}
