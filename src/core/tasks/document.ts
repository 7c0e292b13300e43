// Reading a document for the tasks: the checks every front end shares (empty, binary, oversized) and the helpers that
// turn UTF-16 offsets into what people read (line:column, a snippet).
import { readFile, stat } from 'node:fs/promises';
import { LensError } from '../errors';

/** Largest document the tasks accept. Tokens cost memory (ids, spans) and every chunk is a model run. */
export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

/** Sizes near the limit differ in the last digits, so both are given in bytes. */
function tooLarge(source: string, bytes: number): string {
  return `${source} is ${bytes.toLocaleString('en-US')} bytes; documents are limited to 20 MiB (${MAX_DOCUMENT_BYTES.toLocaleString('en-US')} bytes).`;
}

/** Decodes file bytes as UTF-8 text, refusing binary data and oversized files. `source` names it in messages. */
export function decodeDocument(bytes: Uint8Array, source: string): string {
  if (bytes.length > MAX_DOCUMENT_BYTES) {
    throw new LensError('BAD_DOCUMENT', tooLarge(source, bytes.length), 'Split it or select a part of it.');
  }
  if (bytes.includes(0))
    throw new LensError('BAD_DOCUMENT', `${source} looks binary (it contains NUL bytes); only text documents can be read.`);
  let text: string;
  try {
    // fatal: invalid UTF-8 is a binary (or wrongly encoded) file, not something to guess at. A BOM is dropped, as editors do.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new LensError('BAD_DOCUMENT', `${source} is not valid UTF-8 text.`, 'Save it as UTF-8 and try again.', { cause: error });
  }
  checkDocumentText(text, source);
  return text;
}

/** The checks for text that is already a string (an editor's buffer). */
export function checkDocumentText(text: string, source: string): void {
  if (text.length === 0) throw new LensError('BAD_DOCUMENT', `${source} is empty.`);
  if (text.trim().length === 0) throw new LensError('BAD_DOCUMENT', `${source} holds only whitespace.`);
  // UTF-8 takes 1 to 3 bytes per UTF-16 unit: only measure when the length alone does not settle it.
  if (text.length * 3 > MAX_DOCUMENT_BYTES && Buffer.byteLength(text, 'utf8') > MAX_DOCUMENT_BYTES) {
    throw new LensError('BAD_DOCUMENT', `${source} is larger than 20 MiB, the limit for documents.`);
  }
  if (text.includes('\0')) throw new LensError('BAD_DOCUMENT', `${source} looks binary (it contains NUL characters).`);
}

export async function readDocument(path: string): Promise<string> {
  return decodeDocument(await readDocumentBytes(path), path);
}

/**
 * The file's bytes, after the checks that need no decoding (a regular file, within the size limit). Batch runs hash
 * these bytes before decoding them with decodeDocument, so their messages are the single-file verbs' messages.
 */
export async function readDocumentBytes(path: string): Promise<Uint8Array> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new LensError('NOT_FOUND', `${path} is not a file.`);
    size = info.size;
  } catch (error) {
    if (error instanceof LensError) throw error;
    throw new LensError('NOT_FOUND', `${path}: no such file.`, undefined, { cause: error });
  }
  // Check the size before reading, so a 4 GB file is refused without being loaded.
  if (size > MAX_DOCUMENT_BYTES) {
    throw new LensError('BAD_DOCUMENT', tooLarge(path, size), 'Split it or select a part of it.');
  }
  try {
    return await readFile(path);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new LensError('BAD_DOCUMENT', `${path} could not be read (${reason}).`, 'Check its permissions.', { cause: error });
  }
}

/** 1-based line and column (in UTF-16 units) of an offset; lines end at \n (a \r before it belongs to the line). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** The text of [start, end) with some context around it, on one line. */
export function snippet(text: string, start: number, end: number, context = 30): string {
  const from = Math.max(0, start - context);
  const to = Math.min(text.length, end + context);
  const flat = (s: string): string => s.replace(/\s+/g, ' ');
  return `${from > 0 ? '…' : ''}${flat(text.slice(from, start))}[${flat(text.slice(start, end))}]${flat(text.slice(end, to))}${to < text.length ? '…' : ''}`;
}
