// Shared by the task tests: the fixture tokenizer, seeded random numbers, and a long synthetic document.
import { join } from 'node:path';
import { loadTokenizer } from '../../../src/core/tokenizer';
import type { RobertaTokenizer } from '../../../src/core/tokenizer/tokenizer';

export const TOKENIZER_DIR = join(__dirname, '..', '..', 'fixtures', 'roberta-bpe');

let shared: RobertaTokenizer | undefined;
export function fixtureTokenizer(): RobertaTokenizer {
  shared ??= loadTokenizer(TOKENIZER_DIR);
  return shared;
}

/** mulberry32: small, seeded, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'the',
  'model',
  'reads',
  'long',
  'documents',
  'with',
  'sliding',
  'windows',
  'and',
  'global',
  'tokens',
  'über',
  'naïve',
  'café',
  '東京',
  'data',
  '42',
  'attention',
  'résumé',
  '😀',
];

/** Prose of `sentences` sentences in paragraphs of 3 to 8 sentences, deterministic in the seed. */
export function syntheticDocument(sentences: number, seed: number): string {
  const random = rng(seed);
  const paragraphs: string[] = [];
  let current: string[] = [];
  let target = 3 + Math.floor(random() * 6);
  for (let s = 0; s < sentences; s += 1) {
    const length = 5 + Math.floor(random() * 15);
    const words = Array.from({ length }, () => WORDS[Math.floor(random() * WORDS.length)]!);
    const sentence = `${words[0]!.charAt(0).toUpperCase()}${words[0]!.slice(1)} ${words.slice(1).join(' ')}.`;
    current.push(sentence);
    if (current.length >= target) {
      paragraphs.push(current.join(' '));
      current = [];
      target = 3 + Math.floor(random() * 6);
    }
  }
  if (current.length > 0) paragraphs.push(current.join(' '));
  return paragraphs.join('\n\n');
}
