// Zero-shot labels and templates: parsing, the errors users meet, and how label words are tokenized at the mask.
import { strict as assert } from 'node:assert';
import { buildPrompt, DEFAULT_TEMPLATE, parseLabels } from '../../../src/core/tasks/zero-shot-prompt';
import { lensError } from '../../support/lens-error';
import { fixtureTokenizer } from './helpers';

describe('zero-shot labels and template', () => {
  it('parses labels, synonyms and spaces', () => {
    assert.deepEqual(parseLabels(' invoice , contract=contract| agreement ,letter'), [
      { name: 'invoice', verbalizers: ['invoice'] },
      { name: 'contract', verbalizers: ['contract', 'agreement'] },
      { name: 'letter', verbalizers: ['letter'] },
    ]);
  });

  it('refuses empty labels, empty words, duplicates and a single label', () => {
    assert.throws(() => parseLabels(' , '), lensError('BAD_ARGUMENT', /no labels given/));
    assert.throws(() => parseLabels('a,,b'), lensError('BAD_ARGUMENT', /empty entry/));
    assert.throws(() => parseLabels('a=x|,b'), lensError('BAD_ARGUMENT', /label "a" has an empty word/));
    assert.throws(() => parseLabels('=x,b'), lensError('BAD_ARGUMENT', /no name/));
    assert.throws(() => parseLabels('a,b,a'), lensError('BAD_ARGUMENT', /"a" is given twice/));
    assert.throws(() => parseLabels('only'), lensError('BAD_ARGUMENT', /only one label/));
  });

  it('puts the mask token where <mask> is and tokenizes words with the space the template has before it', () => {
    const tokenizer = fixtureTokenizer();
    const prompt = buildPrompt(tokenizer, DEFAULT_TEMPLATE, parseLabels('law=law|legal,cooking'));
    const mask = tokenizer.special.mask!;
    assert.equal(prompt.ids[prompt.maskIndex], mask);
    assert.deepEqual([...prompt.ids.subarray(0, prompt.maskIndex)], [...tokenizer.tokenize('This document is about').ids]);
    assert.deepEqual([...prompt.ids.subarray(prompt.maskIndex + 1)], [...tokenizer.tokenize('.').ids]);
    assert.deepEqual(prompt.labels[0]!.verbalizers[1]!.ids, [...tokenizer.tokenize(' legal').ids]);
    assert.equal(tokenizer.tokenString(prompt.labels[1]!.verbalizers[0]!.ids[0]!)?.startsWith('Ġ'), true);
    // No space before <mask>: the word is read without one.
    const glued = buildPrompt(tokenizer, 'Topic:<mask>', parseLabels('law,cooking'));
    assert.deepEqual(glued.labels[0]!.verbalizers[0]!.ids, [...tokenizer.tokenize('law').ids]);
    assert.equal(glued.maskIndex, tokenizer.tokenize('Topic:').ids.length);
  });

  it('needs exactly one <mask> in the template', () => {
    const labels = parseLabels('a,b');
    assert.throws(() => buildPrompt(fixtureTokenizer(), 'About this.', labels), lensError('BAD_ARGUMENT', /exactly once/));
    assert.throws(() => buildPrompt(fixtureTokenizer(), '<mask> or <mask>', labels), lensError('BAD_ARGUMENT', /exactly once/));
  });
});
