// Download progress as the front ends see it: per file, throttled, with a transfer rate.

export interface DownloadProgress {
  /** Repository path of the file, e.g. `model.safetensors`. */
  readonly file: string;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Bytes per second over this transfer so far (0 before any byte arrived or when served from the cache). */
  readonly bytesPerSecond: number;
  /** True when the file was already in the cache and nothing was transferred. */
  readonly fromCache: boolean;
}

export type ProgressListener = (event: DownloadProgress) => void;

const MIN_INTERVAL_MS = 100;

/** Reports one file's transfer at most every 100 ms, plus its first and last state. */
export class ProgressReporter {
  private readonly startedAt = Date.now();
  private lastReportAt = 0;

  constructor(
    private readonly listener: ProgressListener | undefined,
    private readonly file: string,
    private readonly bytesTotal: number,
    /** Bytes already on disk from an earlier attempt; they do not count towards the rate. */
    private readonly resumedFrom: number,
  ) {}

  update(bytesDone: number, force = false): void {
    if (this.listener === undefined) return;
    const now = Date.now();
    if (!force && now - this.lastReportAt < MIN_INTERVAL_MS) return;
    this.lastReportAt = now;
    const seconds = (now - this.startedAt) / 1000;
    const bytesPerSecond = seconds > 0 ? Math.round((bytesDone - this.resumedFrom) / seconds) : 0;
    this.listener({
      file: this.file,
      bytesDone,
      bytesTotal: this.bytesTotal,
      bytesPerSecond: Math.max(0, bytesPerSecond),
      fromCache: false,
    });
  }
}

export function reportCached(listener: ProgressListener | undefined, file: string, size: number): void {
  listener?.({ file, bytesDone: size, bytesTotal: size, bytesPerSecond: 0, fromCache: true });
}

/** Decimal units as download sizes are usually given: 950 B, 1.21 MB, 597.0 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** One line for a progress display: `model.safetensors: 120.3 MB of 597.0 MB, 11.2 MB/s`. */
export function describeProgress(event: DownloadProgress): string {
  if (event.fromCache) return `${event.file}: in the cache`;
  const rate = event.bytesPerSecond > 0 ? `, ${formatBytes(event.bytesPerSecond)}/s` : '';
  return `${event.file}: ${formatBytes(event.bytesDone)} of ${formatBytes(event.bytesTotal)}${rate}`;
}
