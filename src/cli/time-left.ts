// Estimates of the time left for the progress lines the CLI draws on a terminal: chunks of a long document, and
// bytes of a download.

/** "8 s", "2 min 05 s", "1 h 03 min": rounded up, so the estimate does not reach 0 before the work does. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * The line shown while chunk `done + 1` of `total` runs. Chunks are the same size, so the time the finished ones
 * took predicts the rest; before the first one finishes there is nothing to predict from.
 */
export function chunkProgressLine(done: number, total: number, elapsedMs: number): string {
  const line = `chunk ${done + 1}/${total}`;
  if (done === 0) return `${line}…`;
  return `${line}, about ${formatDuration(((elapsedMs / done) * (total - done)) / 1000)} left`;
}

/** "about 12 s left" at the current rate, or '' while there is no rate yet. */
export function downloadTimeLeft(bytesDone: number, bytesTotal: number, bytesPerSecond: number): string {
  if (bytesPerSecond <= 0 || bytesDone >= bytesTotal) return '';
  return `about ${formatDuration((bytesTotal - bytesDone) / bytesPerSecond)} left`;
}
