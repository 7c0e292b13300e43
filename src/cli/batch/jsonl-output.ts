// The batch run's output: one JSON object per line, appended and handed to the operating system as soon as each
// document finishes, so an interrupted run loses only the documents in flight. Re-running with the same file skips
// what it already holds (same path, same content hash).
import { closeSync, createReadStream, existsSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';

/** One output line: the single-file verb's JSON plus where it came from, or an error for that path. */
export interface BatchRecord {
  readonly path: string;
  /** SHA-256 of the file's bytes; absent when the file could not be read. */
  readonly sha256?: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly [field: string]: unknown;
}

/** Errors a rerun may not repeat (the engine crashed or failed): their documents are tried again on resume. */
const RETRIED_CODES: ReadonlySet<string> = new Set(['RUNTIME_FAILED', 'INTERNAL', 'CANCELLED']);

export function resumeKey(path: string, sha256: string): string {
  return `${resolve(path)}\0${sha256}`;
}

/**
 * The documents an earlier run of the same output finished: results and input errors (which would fail the same way
 * again). A torn last line from an interrupted run, or any line that is not a record, is ignored.
 */
export async function readFinished(outputPath: string): Promise<Set<string>> {
  const finished = new Set<string>();
  if (!existsSync(outputPath)) return finished;
  // Line by line: an output of embeddings grows past what one string can hold.
  const lines = createInterface({ input: createReadStream(outputPath, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    const record = parseRecord(line);
    if (record === undefined || typeof record.path !== 'string' || typeof record.sha256 !== 'string') continue;
    if (record.error !== undefined && RETRIED_CODES.has(record.error.code)) continue;
    finished.add(resumeKey(record.path, record.sha256));
  }
  return finished;
}

function parseRecord(line: string): BatchRecord | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as BatchRecord) : undefined;
  } catch {
    return undefined;
  }
}

export interface RecordSink {
  write(record: BatchRecord): void;
  close(): void;
}

/**
 * Appends to `path` (created if missing). A torn last line (a write cut off by a crash; its document was not counted
 * as finished) is cut away, so the file stays one JSON object per line.
 */
export function openJsonlFile(path: string): RecordSink {
  const fd = openSync(path, 'a+');
  const size = fstatSync(fd).size;
  const lastLine = readLastLine(fd, size);
  if (lastLine !== undefined) {
    if (parseRecord(lastLine.toString('utf8')) !== undefined) writeSync(fd, '\n');
    else ftruncateSync(fd, size - lastLine.length);
  }
  return {
    // One write per line: each finished document reaches the file before the next one starts.
    write: (record) => void writeSync(fd, `${JSON.stringify(record)}\n`),
    close: () => closeSync(fd),
  };
}

/** The bytes after the file's last newline, or undefined when the file is empty or ends with a newline. */
function readLastLine(fd: number, size: number): Buffer | undefined {
  const block = 64 * 1024;
  const pieces: Buffer[] = [];
  for (let end = size; end > 0; end -= block) {
    const start = Math.max(0, end - block);
    const piece = Buffer.alloc(end - start);
    readSync(fd, piece, 0, piece.length, start);
    const newline = piece.lastIndexOf(0x0a);
    if (newline !== -1) {
      pieces.unshift(piece.subarray(newline + 1));
      break;
    }
    pieces.unshift(piece);
  }
  const line = Buffer.concat(pieces);
  return line.length === 0 ? undefined : line;
}

export function stdoutSink(): RecordSink {
  return { write: (record) => void process.stdout.write(`${JSON.stringify(record)}\n`), close: () => undefined };
}
