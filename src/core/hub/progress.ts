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
