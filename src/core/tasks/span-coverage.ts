// What a global-attention span amounts to for the model: how many document tokens it makes global, and in which of
// the document's chunks they are (a span in the overlap of two chunks is global in both). Pure.
import type { TokenSpans } from '../tokenizer/tokenizer';
import { type CharSpan, type Chunk, spanTokenMask } from './chunking';

export interface SpanCoverage {
  /** Document tokens the span overlaps: each of them gets global attention. */
  readonly tokens: number;
  /** Indices of the chunks holding any of those tokens, ascending. */
  readonly chunks: readonly number[];
}

export function spanCoverage(tokens: TokenSpans, chunks: readonly Chunk[], span: CharSpan): SpanCoverage {
  const mask = spanTokenMask(tokens, [span]);
  const positions: number[] = [];
  mask.forEach((value, i) => {
    if (value === 1) positions.push(i);
  });
  const inChunks = chunks
    .filter((chunk) => positions.some((position) => position >= chunk.tokenStart && position < chunk.tokenEnd))
    .map((chunk) => chunk.index);
  return { tokens: positions.length, chunks: inChunks };
}
