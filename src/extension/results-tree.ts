// What the results view shows for a document's last classification: a heading with the document's label and score,
// then one row per chunk with its lines, label and score. Chunks whose label differs from the document's carry a
// warning icon and say so in words (not by colour alone). Pure (no `vscode`): the view (views/results-view.ts) turns
// rows into tree items.
import type { Classification } from '../core/tasks/classify';
import { chunkVerdicts, percent, type ChunkResults } from './chunk-lenses';

/** Codicon ids the rows use. */
export type RowIcon = 'symbol-enum' | 'history' | 'pass' | 'warning';

export interface ResultsHeading {
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly icon: RowIcon;
}

export interface ChunkRow {
  /** UTF-16 offsets of the chunk in the classified document version. */
  readonly start: number;
  readonly end: number;
  /** 1-based, as the editor's line numbers. */
  readonly firstLine: number;
  readonly lastLine: number;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly icon: RowIcon;
  readonly differs: boolean;
}

export interface ResultsTree {
  readonly heading: ResultsHeading;
  readonly chunks: readonly ChunkRow[];
  /** A line above the tree (why the result is stale), when there is one. */
  readonly message?: string;
}

export interface ResultsInput {
  /** The document's name as the heading shows it. */
  readonly name: string;
  readonly result: ChunkResults & Pick<Classification, 'probabilities'>;
  /** The 0-based line of a UTF-16 offset in the document. */
  readonly lineOf: (offset: number) => number;
  /** Why the result no longer describes the document (staleReason), when it does not. */
  readonly stale?: string;
}

export function resultsTree({ name, result, lineOf, stale }: ResultsInput): ResultsTree {
  const verdicts = chunkVerdicts(result);
  const count = result.chunks.length;
  const differing = verdicts.filter((verdict) => verdict.differs).length;
  const best = result.labels.indexOf(result.label);
  const all = (probabilities: ArrayLike<number>): string =>
    result.labels.map((label, k) => `${label} ${percent(probabilities[k] ?? 0)}`).join(', ');
  const counts = `${count} chunk${count === 1 ? '' : 's'}${differing > 0 ? `, ${differing} with another label` : ''}`;
  const heading: ResultsHeading = {
    label: `Document: ${result.label} ${percent(result.probabilities[best] ?? 0)}`,
    description: stale === undefined ? counts : `${counts} · stale`,
    tooltip: [`${name}: ${all(result.probabilities)}`, counts, ...(stale === undefined ? [] : [`Stale: ${stale}.`])].join('\n'),
    icon: stale === undefined ? 'symbol-enum' : 'history',
  };
  const chunks = result.chunks.map((chunk, i): ChunkRow => {
    const verdict = verdicts[i]!;
    const firstLine = lineOf(chunk.start) + 1;
    // `end` is exclusive: a chunk that ends with a line break ends on the line before it.
    const lastLine = lineOf(Math.max(chunk.start, chunk.end - 1)) + 1;
    const lines = firstLine === lastLine ? `Line ${firstLine}` : `Lines ${firstLine}–${lastLine}`;
    const score = `${verdict.label} ${percent(verdict.probability)}`;
    return {
      start: chunk.start,
      end: chunk.end,
      firstLine,
      lastLine,
      label: lines,
      description: verdict.differs ? `${score} · differs from the document` : score,
      tooltip: [
        `Chunk ${i + 1} of ${count}, ${lines.toLowerCase()}: ${all(chunk.probabilities)}`,
        verdict.differs ? `Its label differs from the document's (${result.label}).` : `The same label as the document.`,
        'Click to show its lines.',
      ].join('\n'),
      icon: verdict.differs ? 'warning' : 'pass',
      differs: verdict.differs,
    };
  });
  return {
    heading,
    chunks,
    ...(stale === undefined ? {} : { message: `Stale: ${stale}. Classify the document again for current results.` }),
  };
}
