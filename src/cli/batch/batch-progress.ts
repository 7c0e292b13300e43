// What a batch run tells the user on stderr: a progress line redrawn in place on a terminal (documents, tokens,
// tokens per second, ETA) and a summary at the end. The ETA counts bytes, known for every file before it is read.

export interface BatchCounts {
  /** Documents in the run, skipped ones included. */
  readonly total: number;
  /** Documents with a result line written in this run. */
  readonly done: number;
  readonly failed: number;
  /** Already in the output from an earlier run. */
  readonly skipped: number;
  /** Tokens of the documents done in this run. */
  readonly tokens: number;
  /** Bytes of every document, and of those finished (done, failed or skipped). */
  readonly bytesTotal: number;
  readonly bytesFinished: number;
  /** Bytes of the documents the engine ran in this run: the ETA's rate. */
  readonly bytesRun: number;
  readonly elapsedMs: number;
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

function tokensPerSecond(counts: BatchCounts): number {
  return counts.elapsedMs > 0 ? (counts.tokens * 1000) / counts.elapsedMs : 0;
}

export function formatProgressLine(counts: BatchCounts, width = 20): string {
  const finished = counts.done + counts.failed + counts.skipped;
  const fraction = counts.bytesTotal > 0 ? counts.bytesFinished / counts.bytesTotal : finished / Math.max(1, counts.total);
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  const remaining = counts.bytesTotal - counts.bytesFinished;
  const eta = counts.bytesRun > 0 && counts.elapsedMs > 0 ? formatDuration((remaining * counts.elapsedMs) / counts.bytesRun) : '?';
  return (
    `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${finished}/${counts.total} documents` +
    `${counts.failed > 0 ? ` (${counts.failed} failed)` : ''}, ${counts.tokens.toLocaleString('en-US')} tokens, ` +
    `${Math.round(tokensPerSecond(counts)).toLocaleString('en-US')} tokens/s, ETA ${eta}`
  );
}

export function formatSummary(counts: BatchCounts, plan: { workers: number; threadsPerWorker: number }, output: string): string {
  const parts = [`${counts.done} document${counts.done === 1 ? '' : 's'} done`];
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  if (counts.skipped > 0) parts.push(`${counts.skipped} already in ${output}`);
  const seconds = counts.elapsedMs / 1000;
  return (
    `${parts.join(', ')}; ${counts.tokens.toLocaleString('en-US')} tokens in ${seconds.toFixed(1)} s: ` +
    `${Math.round(tokensPerSecond(counts)).toLocaleString('en-US')} tokens/s, ` +
    `${(seconds > 0 ? counts.done / seconds : 0).toFixed(2)} documents/s ` +
    `(${plan.workers} worker${plan.workers === 1 ? '' : 's'} x ${plan.threadsPerWorker} thread${plan.threadsPerWorker === 1 ? '' : 's'})`
  );
}
