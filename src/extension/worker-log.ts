// Lines the engine process prints, made fit for the log channel: terminal colour codes removed, and onnxruntime's
// native warnings (which say nothing the user can act on) moved to debug level. Pure (no `vscode`).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

// CSI sequences such as "\x1b[1;31m" (colours) and "\x1b[K" (erase line).
const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;

// onnxruntime's logger: "2026-11-30 21:54:46.123 [W:onnxruntime:, session_state.cc:1280 VerifyEachNodeIsAssignedToAnEp] ..."
const NATIVE_LOG = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[[VIWEF]:onnxruntime:/;

export interface WorkerLogLine {
  readonly level: LogLevel;
  readonly text: string;
}

/** Splits a chunk of the engine's stdout/stderr into log lines with their level; blank lines are dropped. */
export function workerLogLines(chunk: string): WorkerLogLine[] {
  return chunk
    .replace(ANSI_ESCAPE, '')
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .map((text) => ({ level: NATIVE_LOG.test(text) ? 'debug' : 'info', text }));
}
