// Global-attention marks saved across window reloads: each mark with a hash of the text it covered, so a mark comes
// back only onto the same text. Pure (no `vscode`); the store keeps the saved marks in the workspace state.
import { createHash } from 'node:crypto';
import type { CharSpan } from '../core/tasks/chunking';

export interface SavedMark {
  readonly start: number;
  readonly end: number;
  /** SHA-256 (hex, first 16 digits) of the marked text. */
  readonly hash: string;
}

export function textHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

export function saveMarks(text: string, spans: readonly CharSpan[]): SavedMark[] {
  return spans.map(({ start, end }) => ({ start, end, hash: textHash(text.slice(start, end)) }));
}

/** The saved marks whose text is still there, and how many were dropped because it is not. */
export function restoreMarks(text: string, saved: readonly SavedMark[]): { kept: CharSpan[]; dropped: number } {
  const kept: CharSpan[] = [];
  for (const mark of saved) {
    const valid =
      Number.isInteger(mark.start) && Number.isInteger(mark.end) && mark.start >= 0 && mark.end > mark.start && mark.end <= text.length;
    if (valid && textHash(text.slice(mark.start, mark.end)) === mark.hash) kept.push({ start: mark.start, end: mark.end });
  }
  return { kept, dropped: saved.length - kept.length };
}

/** Reads what the workspace state holds under the marks key, ignoring anything malformed. */
export function readSavedMarks(value: unknown): Record<string, SavedMark[]> {
  if (typeof value !== 'object' || value === null) return {};
  const result: Record<string, SavedMark[]> = {};
  for (const [uri, marks] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(marks)) continue;
    result[uri] = marks.filter(
      (mark): mark is SavedMark =>
        typeof mark === 'object' &&
        mark !== null &&
        typeof (mark as SavedMark).start === 'number' &&
        typeof (mark as SavedMark).end === 'number' &&
        typeof (mark as SavedMark).hash === 'string',
    );
  }
  return result;
}
