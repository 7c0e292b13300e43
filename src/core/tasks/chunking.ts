// Cutting a long document into model-sized windows, and marking global-attention tokens in each.
//
// A document is tokenized once (no special tokens); chunks are ranges of those tokens. Consecutive chunks share exactly
// `overlap` tokens. Where a chunk would end, the cut moves back (at most `boundarySearch` tokens) to the end of a
// paragraph, else of a sentence or line, so that a window rarely starts mid-sentence.
import { LensError } from '../errors';
import type { TokenSpans } from '../tokenizer/tokenizer';

/** A range of document tokens [tokenStart, tokenEnd) and the UTF-16 range of the document it covers. */
export interface Chunk {
  readonly index: number;
  readonly tokenStart: number;
  readonly tokenEnd: number;
  readonly charStart: number;
  readonly charEnd: number;
}

export interface ChunkOptions {
  /** Document tokens per chunk (special tokens and any question excluded). */
  readonly maxTokens: number;
  /** Tokens shared by consecutive chunks; default an eighth of maxTokens. */
  readonly overlap?: number;
  /** How far back from the hard cut to look for a paragraph or sentence end; default an eighth of maxTokens. */
  readonly boundarySearch?: number;
}

/** A UTF-16 range [start, end) of the document. */
export interface CharSpan {
  readonly start: number;
  readonly end: number;
}

export function defaultOverlap(maxTokens: number): number {
  return Math.floor(maxTokens / 8);
}

// Strength of a cut before token `cut`: 2 after a blank line, 1 after a line break or a sentence end, 0 elsewhere,
// -1 between two pieces of one character (a multi-byte character split into byte tokens must stay in one chunk).
function boundaryStrength(text: string, tokens: TokenSpans, cut: number): number {
  const next = cut < tokens.ids.length ? tokens.starts[cut]! : text.length;
  if (cut < tokens.ids.length && tokens.starts[cut - 1] === next && tokens.ends[cut - 1] === tokens.ends[cut] && next < tokens.ends[cut]!)
    return -1;
  // Look back over the whitespace before the next token's text (a bounded look: whitespace runs can be long).
  let p = next;
  let newlines = 0;
  const stop = Math.max(0, next - 64);
  while (p > stop && /\s/.test(text[p - 1]!)) {
    if (text[p - 1] === '\n') newlines += 1;
    p -= 1;
  }
  if (newlines >= 2) return 2;
  if (newlines === 1) return 1;
  return p < next && /[.!?。！？]["'’”)\]]*$/.test(text.slice(Math.max(0, p - 4), p)) ? 1 : 0;
}

export function planChunks(tokens: TokenSpans, text: string, options: ChunkOptions): Chunk[] {
  const n = tokens.ids.length;
  const maxTokens = options.maxTokens;
  if (!Number.isInteger(maxTokens) || maxTokens < 1)
    throw new LensError('BAD_ARGUMENT', `chunk size ${maxTokens} must be a positive integer.`);
  const overlap = options.overlap ?? defaultOverlap(maxTokens);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= maxTokens) {
    throw new LensError(
      'BAD_ARGUMENT',
      `chunk overlap ${overlap} must be an integer from 0 to ${maxTokens - 1} (the chunk size less one).`,
    );
  }
  const search = Math.max(0, options.boundarySearch ?? Math.floor(maxTokens / 8));
  const chunks: Chunk[] = [];
  const make = (tokenStart: number, tokenEnd: number): Chunk => {
    let charEnd = tokens.starts[tokenStart] ?? 0;
    for (let i = tokenStart; i < tokenEnd; i += 1) charEnd = Math.max(charEnd, tokens.ends[i]!);
    return { index: chunks.length, tokenStart, tokenEnd, charStart: tokens.starts[tokenStart] ?? 0, charEnd };
  };
  if (n === 0) return [make(0, 0)];
  let start = 0;
  for (;;) {
    const hardEnd = Math.min(start + maxTokens, n);
    if (hardEnd === n) {
      chunks.push(make(start, n));
      return chunks;
    }
    // The cut must leave the next chunk (starting at cut - overlap) after this one's start.
    let cut = hardEnd;
    let best = boundaryStrength(text, tokens, hardEnd);
    // A character is at most 4 byte tokens: moving back 3 always gets out of one, even with no boundary search.
    const lowest = Math.max(start + overlap + 1, hardEnd - Math.max(search, best < 0 ? 3 : 0));
    for (let candidate = hardEnd - 1; candidate >= lowest && best < 2; candidate -= 1) {
      const strength = boundaryStrength(text, tokens, candidate);
      if (strength > best) {
        best = strength;
        cut = candidate;
      }
    }
    chunks.push(make(start, cut));
    start = cut - overlap;
  }
}

/** Checks caller-given spans against the document; a span must be non-empty and inside it. */
export function validateSpans(spans: readonly CharSpan[], textLength: number): void {
  for (const span of spans) {
    const { start, end } = span;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > textLength || start >= end) {
      throw new LensError(
        'BAD_ARGUMENT',
        `global span ${start}:${end} is outside the document (0:${textLength}) or empty.`,
        'Give START:END with 0 <= START < END <= the document length in UTF-16 units.',
      );
    }
  }
}

/** Whether document token i overlaps a span; a token with an empty span (trimmed spaces) counts where it sits. */
function overlaps(tokenStart: number, tokenEnd: number, span: CharSpan): boolean {
  if (tokenStart === tokenEnd) return tokenStart >= span.start && tokenStart < span.end;
  return tokenStart < span.end && tokenEnd > span.start;
}

/** 1 for every document token that overlaps one of the spans. */
export function spanTokenMask(tokens: TokenSpans, spans: readonly CharSpan[]): Uint8Array {
  const n = tokens.ids.length;
  const mask = new Uint8Array(n);
  for (const span of spans) {
    // Token ends never decrease, so the first candidate is found by bisection.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tokens.ends[mid]! < span.start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < n && tokens.starts[i]! < span.end; i += 1) {
      if (overlaps(tokens.starts[i]!, tokens.ends[i]!, span)) mask[i] = 1;
    }
  }
  return mask;
}

/** Document token indices whose text contains `phrase` (every occurrence), as spans for spanTokenMask. */
export function findPhrase(text: string, phrase: string): CharSpan[] {
  if (phrase.length === 0) throw new LensError('BAD_ARGUMENT', 'the global phrase is empty.');
  const spans: CharSpan[] = [];
  for (let at = text.indexOf(phrase); at !== -1; at = text.indexOf(phrase, at + phrase.length))
    spans.push({ start: at, end: at + phrase.length });
  if (spans.length === 0) throw new LensError('BAD_ARGUMENT', `the phrase ${JSON.stringify(phrase)} does not occur in the document.`);
  return spans;
}

/**
 * Which chunk speaks for each document token where chunks overlap: the overlap is split at its middle, so every token
 * belongs to exactly one chunk, the one where it sits further from the edge. Returns [ownStart, ownEnd) per chunk.
 */
export function chunkOwnership(chunks: readonly Chunk[]): Array<{ readonly start: number; readonly end: number }> {
  return chunks.map((chunk, i) => {
    const previous = chunks[i - 1];
    const next = chunks[i + 1];
    const start = previous === undefined ? chunk.tokenStart : Math.floor((chunk.tokenStart + previous.tokenEnd) / 2);
    const end = next === undefined ? chunk.tokenEnd : Math.floor((next.tokenStart + chunk.tokenEnd) / 2);
    return { start, end };
  });
}
