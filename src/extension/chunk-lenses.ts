// Per-chunk classification results where the text is: one line per chunk, to show at the chunk's first line, with
// the chunks whose label differs from the document's marked. Pure (no `vscode`).
import type { Classification } from '../core/tasks/classify';

export interface ChunkLens {
  /** UTF-16 offset of the chunk's start. */
  readonly start: number;
  readonly title: string;
  /** The chunk's own label differs from the document's. */
  readonly differs: boolean;
}

export function chunkLenses(result: Pick<Classification, 'labels' | 'label' | 'chunks'>): ChunkLens[] {
  // One chunk is the whole document: its line would repeat the status bar.
  if (result.chunks.length < 2) return [];
  return result.chunks.map((chunk, i) => {
    let best = 0;
    chunk.probabilities.forEach((p, k) => {
      if (p > (chunk.probabilities[best] ?? 0)) best = k;
    });
    const label = result.labels[best] ?? String(best);
    const differs = label !== result.label;
    const percent = `${(100 * (chunk.probabilities[best] ?? 0)).toFixed(1)}%`;
    const title = `${differs ? '$(warning) ' : ''}chunk ${i + 1} of ${result.chunks.length}: ${label} ${percent}${differs ? ` (the document: ${result.label})` : ''}`;
    return { start: chunk.start, title, differs };
  });
}
