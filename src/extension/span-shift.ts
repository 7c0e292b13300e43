// Keeps global-attention spans on the same text while the document is edited. Pure (no `vscode`), unit-tested.
import type { CharSpan } from '../core/tasks/chunking';

/** One edit as VS Code reports it: the replaced UTF-16 range [offset, offset + removed) and the inserted length. */
export interface TextEdit {
  readonly offset: number;
  readonly removed: number;
  readonly inserted: number;
}

/**
 * Moves spans after an edit by its length change, shrinks spans the edit cuts into, and drops spans left empty.
 * An insertion inside a span grows it (typing inside a marked phrase keeps it marked); one at a boundary does not.
 */
export function shiftSpans(spans: readonly CharSpan[], edit: TextEdit): CharSpan[] {
  const editEnd = edit.offset + edit.removed;
  const delta = edit.inserted - edit.removed;
  const moved: CharSpan[] = [];
  for (const span of spans) {
    const start = mapOffset(span.start, edit.offset, editEnd, delta, 'start');
    const end = mapOffset(span.end, edit.offset, editEnd, delta, 'end');
    if (end > start) moved.push({ start, end });
  }
  return moved;
}

function mapOffset(offset: number, editStart: number, editEnd: number, delta: number, side: 'start' | 'end'): number {
  if (offset < editStart) return offset;
  if (offset > editEnd) return offset + delta;
  if (offset === editStart && offset === editEnd) {
    // A pure insertion exactly at the boundary stays outside the span.
    return side === 'start' ? offset + delta : offset;
  }
  // The offset falls inside the replaced text: a start moves past the new text, an end stops before it.
  return side === 'start' ? editEnd + delta : editStart;
}

/** Adds a span, merging it with any it overlaps or touches, keeping the list sorted. */
export function addSpan(spans: readonly CharSpan[], added: CharSpan): CharSpan[] {
  const all = [...spans, added].sort((a, b) => a.start - b.start);
  const merged: CharSpan[] = [];
  for (const span of all) {
    const last = merged[merged.length - 1];
    if (last !== undefined && span.start <= last.end) merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, span.end) };
    else merged.push(span);
  }
  return merged;
}

/** Removes the parts of spans covered by `removed`. */
export function removeRange(spans: readonly CharSpan[], removed: CharSpan): CharSpan[] {
  const kept: CharSpan[] = [];
  for (const span of spans) {
    if (span.end <= removed.start || span.start >= removed.end) {
      kept.push(span);
      continue;
    }
    if (span.start < removed.start) kept.push({ start: span.start, end: removed.start });
    if (span.end > removed.end) kept.push({ start: removed.end, end: span.end });
  }
  return kept;
}

/** The span holding the offset, its ends included (a cursor just after a marked word is still on it). */
export function spanAt(spans: readonly CharSpan[], offset: number): CharSpan | undefined {
  return spans.find((span) => offset >= span.start && offset <= span.end);
}
