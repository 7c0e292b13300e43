// Extractive question answering over a long document, scored like HuggingFace's question-answering pipeline:
// per chunk, logits outside the context (question, separators) are set to -10000 while `<s>` stays, start and end
// logits go through separate softmaxes, the null score is p_start(<s>) * p_end(<s>), and a span (s, e) with
// s <= e < s + maxAnswerLength, both inside the context, scores p_start(s) * p_end(e). Across chunks the null score is
// the smallest chunk's; "no answer" (SQuAD 2.0 style) when it beats the best span. Unlike the pipeline, the same
// character span found in two overlapping chunks is reported once, with its best score. As in the pipeline, answers
// are widened to whole words unless alignToWords is false.
import { LensError } from '../errors';
import type { Engine, RunInfo } from '../runtime/engine';
import type { RobertaTokenizer, Tokenized, TokenSpans } from '../tokenizer/tokenizer';
import { softmax } from './math';
import { type ChunkInput, type DocumentTaskOptions, prepareDocument, requireHead, requireTensor, runChunks } from './pipeline';

export interface AnswerOptions extends DocumentTaskOptions {
  readonly topK?: number;
  /** Longest answer in tokens (HuggingFace's default 15). */
  readonly maxAnswerLength?: number;
  /** Widen answers to whole words (HuggingFace's default, true). */
  readonly alignToWords?: boolean;
}

export interface Answer {
  readonly text: string;
  /** UTF-16 range in the document. */
  readonly start: number;
  readonly end: number;
  readonly score: number;
  readonly chunk: number;
}

export interface AnswerResult extends RunInfo {
  readonly answers: readonly Answer[];
  readonly noAnswer: boolean;
  /** The smallest null (`<s>`) score over the chunks. */
  readonly nullScore: number;
  readonly globalTokens: number;
  readonly warnings: readonly string[];
}

/** A span of token positions within one input, inclusive at both ends. */
export interface SpanCandidate {
  readonly start: number;
  readonly end: number;
  readonly score: number;
}

const MASKED_LOGIT = -10000;

/** Softmax over the first keep.length logits, those where `keep` is 0 set to -10000 first, as the pipeline does. */
export function maskedSoftmax(logits: ArrayLike<number>, keep: Uint8Array): Float64Array {
  const masked = Float64Array.from({ length: keep.length }, (_, i) => (keep[i] === 1 ? logits[i]! : MASKED_LOGIT));
  return softmax(masked);
}

function better(a: SpanCandidate, b: SpanCandidate): boolean {
  return a.score > b.score || (a.score === b.score && (a.start < b.start || (a.start === b.start && a.end < b.end)));
}

/**
 * The K best spans by pStart[s] * pEnd[e] over s <= e <= s + maxLength - 1 with `allowed` at both ends, best first
 * (ties: earlier start, then earlier end). O(n * maxLength * log K).
 */
export function topSpans(
  pStart: ArrayLike<number>,
  pEnd: ArrayLike<number>,
  allowed: Uint8Array,
  topK: number,
  maxLength: number,
): SpanCandidate[] {
  const best: SpanCandidate[] = [];
  const n = pStart.length;
  for (let s = 0; s < n; s += 1) {
    if (allowed[s] !== 1) continue;
    const limit = Math.min(n, s + maxLength);
    for (let e = s; e < limit; e += 1) {
      if (allowed[e] !== 1) continue;
      const candidate = { start: s, end: e, score: pStart[s]! * pEnd[e]! };
      if (best.length === topK && !better(candidate, best[topK - 1]!)) continue;
      // Insert in order (K is small); drop the worst when full.
      let at = best.length;
      while (at > 0 && better(candidate, best[at - 1]!)) at -= 1;
      best.splice(at, 0, candidate);
      if (best.length > topK) best.pop();
    }
  }
  return best;
}

export interface ChunkSpans {
  readonly nullScore: number;
  readonly spans: readonly SpanCandidate[];
}

/**
 * The pure part for one chunk: context positions are where `documentToken` >= 0; span ends must also cover some text
 * (a token of only trimmed spaces has an empty character span and cannot start or end an answer).
 */
export function chunkSpans(
  input: Pick<ChunkInput, 'documentToken'>,
  startLogits: ArrayLike<number>,
  endLogits: ArrayLike<number>,
  hasText: (documentToken: number) => boolean,
  topK: number,
  maxLength: number,
): ChunkSpans {
  const n = input.documentToken.length;
  const keep = new Uint8Array(n);
  const allowed = new Uint8Array(n);
  keep[0] = 1; // `<s>`: kept in the softmax for the null answer, never part of a span.
  for (let p = 0; p < n; p += 1) {
    const token = input.documentToken[p]!;
    if (token >= 0) {
      keep[p] = 1;
      if (hasText(token)) allowed[p] = 1;
    }
  }
  const pStart = maskedSoftmax(startLogits, keep);
  const pEnd = maskedSoftmax(endLogits, keep);
  return { nullScore: pStart[0]! * pEnd[0]!, spans: topSpans(pStart, pEnd, allowed, topK, maxLength) };
}

/** Maps an answer's first and last document token to a UTF-16 range. */
export type CharRangeOf = (firstToken: number, lastToken: number) => { start: number; end: number };

/** The tokens' own spans: from the first token's start to the last token's end. */
export function tokenRanges(tokens: TokenSpans): CharRangeOf {
  return (first, last) => ({ start: tokens.starts[first]!, end: tokens.ends[last]! });
}

/**
 * HuggingFace's `align_to_words` (on by default in its pipeline): an answer starts where the word of its first token
 * starts and ends where the word of its last token ends, so a span never cuts a word ("Na" of "Naïve"). Words are the
 * pre-tokenizer's pieces; their ranges are the union of their tokens' (trimmed) spans.
 */
export function wordRanges(tokens: Tokenized): CharRangeOf {
  const count = tokens.words.length === 0 ? 0 : tokens.words[tokens.words.length - 1]! + 1;
  const wordStart = new Uint32Array(count).fill(0xffffffff);
  const wordEnd = new Uint32Array(count);
  tokens.words.forEach((word, i) => {
    if (tokens.ends[i]! <= tokens.starts[i]!) return;
    wordStart[word] = Math.min(wordStart[word]!, tokens.starts[i]!);
    wordEnd[word] = Math.max(wordEnd[word]!, tokens.ends[i]!);
  });
  return (first, last) => {
    const a = tokens.words[first]!;
    const b = tokens.words[last]!;
    const start = wordStart[a] === 0xffffffff ? tokens.starts[first]! : wordStart[a]!;
    return { start, end: Math.max(start, wordEnd[b]! > 0 ? wordEnd[b]! : tokens.ends[last]!) };
  };
}

/** Chunk spans to document answers: token positions to characters, duplicates merged, best K kept. */
export function mergeAnswers(
  document: string,
  perChunk: readonly { input: Pick<ChunkInput, 'documentToken'>; spans: ChunkSpans; chunk: number }[],
  rangeOf: CharRangeOf,
  topK: number,
): { answers: Answer[]; noAnswer: boolean; nullScore: number } {
  const byRange = new Map<string, Answer>();
  let nullScore = Infinity;
  for (const { input, spans, chunk } of perChunk) {
    nullScore = Math.min(nullScore, spans.nullScore);
    for (const span of spans.spans) {
      const { start, end } = rangeOf(input.documentToken[span.start]!, input.documentToken[span.end]!);
      const key = `${start}:${end}`;
      const previous = byRange.get(key);
      if (previous === undefined || span.score > previous.score)
        byRange.set(key, { text: document.slice(start, end), start, end, score: span.score, chunk });
    }
  }
  const answers = [...byRange.values()].sort((a, b) => b.score - a.score || a.start - b.start || a.end - b.end).slice(0, topK);
  return { answers, noAnswer: answers.length === 0 || nullScore > answers[0]!.score, nullScore };
}

export async function answer(
  engine: Engine,
  tokenizer: RobertaTokenizer,
  question: string,
  document: string,
  options: AnswerOptions = {},
): Promise<AnswerResult> {
  const config = engine.config;
  requireHead(config, ['question-answering'], 'Question answering');
  if (question.trim().length === 0) throw new LensError('BAD_ARGUMENT', 'the question is empty.');
  const topK = options.topK ?? 1;
  const maxAnswerLength = options.maxAnswerLength ?? 15;
  if (!Number.isInteger(topK) || topK < 1) throw new LensError('BAD_ARGUMENT', `top-k ${topK} must be a positive integer.`);
  if (!Number.isInteger(maxAnswerLength) || maxAnswerLength < 1) {
    throw new LensError('BAD_ARGUMENT', `maximum answer length ${maxAnswerLength} must be a positive integer.`);
  }
  const prepared = prepareDocument(config, tokenizer, document, options, tokenizer.tokenize(question));
  const { starts, ends } = prepared.tokens;
  const hasText = (token: number): boolean => ends[token]! > starts[token]!;
  const { results, ...info } = await runChunks(engine, prepared.inputs, ['start_logits', 'end_logits'], options, (input, result) => ({
    input,
    chunk: input.chunk.index,
    spans: chunkSpans(input, requireTensor(result, 'start_logits'), requireTensor(result, 'end_logits'), hasText, topK, maxAnswerLength),
  }));
  const rangeOf = options.alignToWords === false ? tokenRanges(prepared.tokens) : wordRanges(prepared.tokens);
  return {
    ...mergeAnswers(document, results, rangeOf, topK),
    globalTokens: prepared.spanTokens.length,
    warnings: prepared.warnings,
    ...info,
  };
}
