// How the overlay lays out a long document: soft-wrapped rows of a fixed height (so only the rows in view are in the
// DOM), and the lookups between rows, UTF-16 offsets and tokens. Pure (no DOM), shared with the webview script.

/**
 * Start offsets of the visual rows of `text` wrapped at `columns` (monospace cells; a tab advances to the next
 * multiple of `tabSize`). A newline ends a row and belongs to it; a long line breaks after its last space that fits,
 * else at the column limit, never between the two halves of a surrogate pair.
 */
export function wrapRows(text: string, columns: number, tabSize = 4): Uint32Array {
  const width = Math.max(8, Math.floor(columns));
  const starts: number[] = [0];
  let rowStart = 0;
  let column = 0;
  let lastBreak = -1;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 10) {
      rowStart = i + 1;
      if (rowStart < text.length) starts.push(rowStart);
      column = 0;
      lastBreak = -1;
      continue;
    }
    // The second half of a surrogate pair takes no cell of its own.
    if (code >= 0xdc00 && code <= 0xdfff && i > rowStart) continue;
    if (column + advanceAt(code, column, tabSize) > width && i > rowStart) {
      const breakAt = lastBreak > rowStart ? lastBreak : i;
      starts.push(breakAt);
      rowStart = breakAt;
      column = columnsOf(text, rowStart, i, tabSize);
      lastBreak = -1;
    }
    column += advanceAt(code, column, tabSize);
    if (code === 32 || code === 9) lastBreak = i + 1;
  }
  return Uint32Array.from(starts);
}

function advanceAt(code: number, column: number, tabSize: number): number {
  return code === 9 ? tabSize - (column % tabSize) : code === 13 ? 0 : 1;
}

function columnsOf(text: string, from: number, to: number, tabSize: number): number {
  let column = 0;
  for (let i = from; i < to; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0xdc00 && code <= 0xdfff && i > from) continue;
    column += advanceAt(code, column, tabSize);
  }
  return column;
}

/** The text range a row shows: up to the next row's start, without the line break. */
export function rowRange(text: string, rowStarts: Uint32Array, row: number): { start: number; end: number } {
  const start = rowStarts[row] ?? text.length;
  let end = rowStarts[row + 1] ?? text.length;
  while (end > start && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end -= 1;
  return { start, end };
}

/** The row that shows `offset` (the last row starting at or before it). */
export function rowOfOffset(rowStarts: Uint32Array, offset: number): number {
  let lo = 0;
  let hi = rowStarts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rowStarts[mid]! <= offset) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}

/** The first token whose range ends after `offset` (tokens are sorted; `ends` never decreases). */
export function firstTokenEndingAfter(ends: Uint32Array, offset: number): number {
  let lo = 0;
  let hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid]! <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One piece of a row: plain text between tokens (token -1) or the part of a token inside the row. */
export interface RowPiece {
  readonly start: number;
  readonly end: number;
  readonly token: number;
}

/** Cuts the range [start, end) into token pieces and the gaps between them, in order. Empty tokens are skipped. */
export function rowPieces(starts: Uint32Array, ends: Uint32Array, start: number, end: number): RowPiece[] {
  const pieces: RowPiece[] = [];
  let at = start;
  for (let token = firstTokenEndingAfter(ends, start); token < starts.length && starts[token]! < end; token += 1) {
    const from = Math.max(starts[token]!, at);
    const to = Math.min(ends[token]!, end);
    if (to <= from) continue;
    if (from > at) pieces.push({ start: at, end: from, token: -1 });
    pieces.push({ start: from, end: to, token });
    at = to;
  }
  if (at < end) pieces.push({ start: at, end, token: -1 });
  return pieces;
}

/** The rows to keep in the DOM for a scroll position: those in view plus `overscan` on each side; `end` exclusive. */
export function visibleRows(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  rowCount: number,
  overscan = 10,
): { start: number; end: number } {
  if (rowCount === 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rowHeight);
  return { start: Math.max(0, Math.min(rowCount, first - overscan)), end: Math.min(rowCount, last + overscan) };
}

/** The scrollTop that shows `row` in the middle of the viewport, when it is not already fully in view. */
export function scrollToShow(row: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = row * rowHeight;
  if (top >= scrollTop && top + rowHeight <= scrollTop + viewportHeight) return scrollTop;
  return Math.max(0, top - (viewportHeight - rowHeight) / 2);
}

/** The tokens a token's local window covers: `radius` (attention_window / 2) on each side, within the document. */
export function windowBand(token: number, radius: number, tokenCount: number): { first: number; last: number } {
  return { first: Math.max(0, token - radius), last: Math.min(tokenCount - 1, token + radius) };
}
