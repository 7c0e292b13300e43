// The zero-shot prompt: a template with one `<mask>` and the labels' verbalizers (the words that stand for each
// label at the mask), as token ids. Pure: no model needed, so every mistake in the user's labels or template is
// reported before the engine opens.
import { LensError } from '../errors';
import type { RobertaTokenizer } from '../tokenizer/tokenizer';

export const MASK_PLACEHOLDER = '<mask>';
export const DEFAULT_TEMPLATE = 'This document is about <mask>.';

/** A label as typed: `invoice=invoice|bill` is label "invoice" with the verbalizers "invoice" and "bill". */
export interface LabelSpec {
  readonly name: string;
  readonly verbalizers: readonly string[];
}

/** A verbalizer as token ids: the label word as it reads at the mask (with the space before it, when the template has one). */
export interface Verbalizer {
  readonly text: string;
  readonly ids: readonly number[];
}

export interface ZeroShotLabel {
  readonly name: string;
  readonly verbalizers: readonly Verbalizer[];
}

export interface ZeroShotPrompt {
  readonly template: string;
  /** The template's tokens, with the mask token where `<mask>` was. */
  readonly ids: Int32Array;
  /** Index of the mask token in `ids`. */
  readonly maskIndex: number;
  readonly labels: readonly ZeroShotLabel[];
}

/** `"invoice,contract=contract|agreement"`: comma-separated labels, each optionally `name=word|word`. */
export function parseLabels(text: string): LabelSpec[] {
  const specs = text.split(',').map((part) => part.trim());
  if (specs.every((part) => part === '')) {
    throw new LensError('BAD_ARGUMENT', 'no labels given.', 'List them separated by commas, for example "invoice,contract,letter".');
  }
  const labels = specs.map((part): LabelSpec => {
    if (part === '') throw new LensError('BAD_ARGUMENT', `labels "${text}" has an empty entry between commas.`);
    const equals = part.indexOf('=');
    const name = (equals === -1 ? part : part.slice(0, equals)).trim();
    const words =
      equals === -1
        ? [name]
        : part
            .slice(equals + 1)
            .split('|')
            .map((word) => word.trim());
    if (name === '') throw new LensError('BAD_ARGUMENT', `label "${part}" has no name before "=".`);
    if (words.some((word) => word === '')) {
      throw new LensError('BAD_ARGUMENT', `label "${name}" has an empty word in "${part}".`, 'Write it as name=word|word.');
    }
    return { name, verbalizers: words };
  });
  const seen = new Set<string>();
  for (const label of labels) {
    if (seen.has(label.name)) throw new LensError('BAD_ARGUMENT', `label "${label.name}" is given twice.`);
    seen.add(label.name);
  }
  if (labels.length < 2) {
    throw new LensError(
      'BAD_ARGUMENT',
      `only one label ("${labels[0]!.name}") given; zero-shot classification chooses between two or more.`,
    );
  }
  return labels;
}

/**
 * Tokenizes the template around its one `<mask>` and each label's words. RoBERTa's `<mask>` strips the space before
 * it (lstrip), so "about <mask>" reads as "about" + mask and the word at the mask is " invoice" with its space: the
 * verbalizers are tokenized with a leading space exactly when the template has whitespace before `<mask>`.
 */
export function buildPrompt(tokenizer: RobertaTokenizer, template: string, labels: readonly LabelSpec[]): ZeroShotPrompt {
  const mask = tokenizer.special.mask;
  if (mask === undefined) {
    throw new LensError(
      'BAD_TOKENIZER',
      'the tokenizer has no <mask> token, so zero-shot labels cannot be scored.',
      'Use a masked-LM checkpoint with its tokenizer files.',
    );
  }
  const at = template.indexOf(MASK_PLACEHOLDER);
  if (at === -1 || template.indexOf(MASK_PLACEHOLDER, at + 1) !== -1) {
    throw new LensError(
      'BAD_ARGUMENT',
      `the template must contain ${MASK_PLACEHOLDER} exactly once: "${template}".`,
      `For example "${DEFAULT_TEMPLATE}".`,
    );
  }
  const before = template.slice(0, at);
  const after = template.slice(at + MASK_PLACEHOLDER.length);
  const beforeIds = before.trim() === '' ? [] : [...tokenizer.tokenize(before.trimEnd()).ids];
  const afterIds = after === '' ? [] : [...tokenizer.tokenize(after).ids];
  const space = /\s$/.test(before) ? ' ' : '';
  const zeroShotLabels = labels.map((label) => ({
    name: label.name,
    verbalizers: label.verbalizers.map((word) => {
      const ids = [...tokenizer.tokenize(`${space}${word}`).ids];
      if (ids.length === 0) throw new LensError('BAD_ARGUMENT', `label word "${word}" (label "${label.name}") has no tokens.`);
      return { text: word, ids };
    }),
  }));
  return {
    template,
    ids: Int32Array.from([...beforeIds, mask, ...afterIds]),
    maskIndex: beforeIds.length,
    labels: zeroShotLabels,
  };
}
