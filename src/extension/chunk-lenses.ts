// Per-chunk classification results where the text is: one line per chunk, to show at the chunk's first line, with
// the chunks whose label differs from the document's marked. Pure (no `vscode`).
import type { Classification } from '../core/tasks/classify';

export type ChunkResults = Pick<Classification, 'labels' | 'label' | 'chunks'>;

/** One chunk's own verdict: its most probable label and that label's probability. */
export interface ChunkVerdict {
  readonly label: string;
  readonly probability: number;
  /** The chunk's own label differs from the document's. */
  readonly differs: boolean;
}

export function chunkVerdicts(result: ChunkResults): ChunkVerdict[] {
  return result.chunks.map((chunk) => {
    let best = 0;
    chunk.probabilities.forEach((p, k) => {
      if (p > (chunk.probabilities[best] ?? 0)) best = k;
    });
    const label = result.labels[best] ?? String(best);
    return { label, probability: chunk.probabilities[best] ?? 0, differs: label !== result.label };
  });
}

export const percent = (p: number): string => `${(100 * p).toFixed(1)}%`;

export interface ChunkLens {
  /** UTF-16 offset of the chunk's start. */
  readonly start: number;
  readonly title: string;
  /** The chunk's own label differs from the document's. */
  readonly differs: boolean;
}

export function chunkLenses(result: ChunkResults): ChunkLens[] {
  // One chunk is the whole document: its line would repeat the status bar.
  if (result.chunks.length < 2) return [];
  return chunkVerdicts(result).map(({ label, probability, differs }, i) => {
    const title = `${differs ? '$(warning) ' : ''}chunk ${i + 1} of ${result.chunks.length}: ${label} ${percent(probability)}${differs ? ` (the document: ${result.label})` : ''}`;
    return { start: result.chunks[i]!.start, title, differs };
  });
}
