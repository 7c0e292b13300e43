// Human output as aligned columns under labels, and the two ways the CLI writes a place in a document: UTF-16
// offsets (what --global, --at and the JSON use) and line:column (what an editor shows).
import { lineColumn } from '../core/tasks/document';

export interface Column {
  readonly title: string;
  /** Numbers read best right-aligned; the last column is never padded. */
  readonly align?: 'left' | 'right';
}

/** The header line and one line per row, each column as wide as its widest cell, two spaces between columns. */
export function formatTable(columns: readonly Column[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = columns.map((column, i) => Math.max(column.title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        if (i === columns.length - 1) return cell;
        return columns[i]!.align === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.title)), ...rows.map(line)];
}

/** Column titles for a place in a document, used by every verb that prints one. */
export const POSITION_COLUMNS: readonly Column[] = [
  { title: 'line:col', align: 'right' },
  { title: 'UTF-16', align: 'right' },
];

/** `line:column` (1-based) and `start-end` (UTF-16 offsets, end exclusive) of a range of `text`. */
export function positionCells(text: string, start: number, end: number): [string, string] {
  const { line, column } = lineColumn(text, start);
  return [`${line}:${column}`, `${start}-${end}`];
}
