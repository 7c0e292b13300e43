import { strict as assert } from 'node:assert';
import { syntheticConfig } from '../../../src/core/checkpoint/synthetic';
import { LensError } from '../../../src/core/errors';
import { chunkOwnership, findPhrase, planChunks, spanTokenMask, validateSpans } from '../../../src/core/tasks/chunking';
import { prepareDocument } from '../../../src/core/tasks/pipeline';
import { fixtureTokenizer, rng, syntheticDocument } from './helpers';

const isLensError = (code: string) => (error: unknown) => error instanceof LensError && error.code === code;

describe('chunking', () => {
  const tokenizer = fixtureTokenizer();
  const text = syntheticDocument(300, 7);
  const tokens = tokenizer.tokenize(text);

  it('covers every token, keeps chunks within size and overlaps exactly as configured', () => {
    const random = rng(3);
    for (let trial = 0; trial < 60; trial += 1) {
      const maxTokens = 8 + Math.floor(random() * 300);
      const overlap = Math.floor(random() * (maxTokens - 1));
      const boundarySearch = Math.floor(random() * maxTokens);
      const chunks = planChunks(tokens, text, { maxTokens, overlap, boundarySearch });
      const covered = new Uint8Array(tokens.ids.length);
      assert.equal(chunks[0]!.tokenStart, 0);
      assert.equal(chunks.at(-1)!.tokenEnd, tokens.ids.length);
      chunks.forEach((chunk, i) => {
        assert.ok(chunk.tokenEnd - chunk.tokenStart <= maxTokens && chunk.tokenEnd > chunk.tokenStart, `trial ${trial} chunk ${i}`);
        covered.fill(1, chunk.tokenStart, chunk.tokenEnd);
        const next = chunks[i + 1];
        if (next !== undefined) {
          assert.equal(chunk.tokenEnd - next.tokenStart, overlap, `trial ${trial}: overlap after chunk ${i}`);
          assert.ok(next.tokenStart > chunk.tokenStart);
        }
        assert.equal(chunk.charStart, tokens.starts[chunk.tokenStart]);
        if (next !== undefined && maxTokens - overlap > 3) {
          const e = chunk.tokenEnd;
          const splitsCharacter =
            tokens.starts[e - 1] === tokens.starts[e] && tokens.ends[e - 1] === tokens.ends[e] && tokens.ends[e]! > tokens.starts[e]!;
          assert.ok(!splitsCharacter, `trial ${trial}: chunk ${i} ends inside a character`);
        }
      });
      assert.ok(
        covered.every((flag) => flag === 1),
        `trial ${trial}: a token is in no chunk`,
      );
      const owners = chunkOwnership(chunks);
      assert.equal(owners[0]!.start, 0);
      assert.equal(owners.at(-1)!.end, tokens.ids.length);
      owners.forEach((own, i) => {
        if (i > 0) assert.equal(own.start, owners[i - 1]!.end);
        assert.ok(own.start >= chunks[i]!.tokenStart && own.end <= chunks[i]!.tokenEnd);
      });
    }
  });

  it('cuts at a paragraph end when one is within reach, else at a sentence end', () => {
    const maxTokens = 200;
    const chunks = planChunks(tokens, text, { maxTokens, overlap: 10, boundarySearch: 60 });
    let paragraphCuts = 0;
    const before = (token: number): string => text.slice(Math.max(0, tokens.starts[token]! - 64), tokens.starts[token]);
    const blankLine = /\n[^\S\n]*\n\s*$/;
    for (const chunk of chunks.slice(0, -1)) {
      const hardEnd = chunk.tokenStart + maxTokens;
      const lowest = Math.max(chunk.tokenStart + 11, hardEnd - 60);
      let reachable = false;
      for (let c = lowest; c <= hardEnd; c += 1) reachable ||= blankLine.test(before(c));
      if (reachable) {
        assert.match(before(chunk.tokenEnd), blankLine, `chunk ${chunk.index} should end at the paragraph break`);
        paragraphCuts += 1;
      } else {
        assert.match(before(chunk.tokenEnd), /[.\n]\s*$/, `chunk ${chunk.index} should end at a sentence end`);
      }
    }
    assert.ok(paragraphCuts > 0);
  });

  it('rejects overlaps that leave no progress', () => {
    assert.throws(() => planChunks(tokens, text, { maxTokens: 10, overlap: 10 }), isLensError('BAD_ARGUMENT'));
  });

  it('marks exactly the tokens that overlap a span (brute force)', () => {
    const random = rng(11);
    for (let trial = 0; trial < 200; trial += 1) {
      const a = Math.floor(random() * text.length);
      const b = Math.min(text.length, a + 1 + Math.floor(random() * 40));
      const mask = spanTokenMask(tokens, [{ start: a, end: b }]);
      for (let i = 0; i < tokens.ids.length; i += 1) {
        const s = tokens.starts[i]!;
        const e = tokens.ends[i]!;
        const expected = s === e ? s >= a && s < b : s < b && e > a;
        assert.equal(mask[i] === 1, expected, `trial ${trial} span ${a}:${b} token ${i} [${s},${e})`);
      }
    }
  });

  it('validates spans and phrases', () => {
    assert.throws(() => validateSpans([{ start: 5, end: 5 }], 10), isLensError('BAD_ARGUMENT'));
    assert.throws(() => validateSpans([{ start: 2, end: 11 }], 10), /outside the document/);
    assert.throws(() => validateSpans([{ start: -1, end: 3 }], 10), isLensError('BAD_ARGUMENT'));
    validateSpans([{ start: 0, end: 10 }], 10);
    assert.deepEqual(findPhrase('a b a b', 'a b'), [
      { start: 0, end: 3 },
      { start: 4, end: 7 },
    ]);
    assert.throws(() => findPhrase('abc', 'zz'), /does not occur/);
  });

  describe('prepareDocument', () => {
    const config = syntheticConfig({ head: 'sequence-classification', vocabSize: 50265, maxPositionEmbeddings: 130, attentionWindow: 8 });

    it('gives a span that crosses a chunk boundary global attention in both chunks', () => {
      const first = prepareDocument(config, tokenizer, text, { overlap: 16 });
      assert.ok(first.chunks.length > 2);
      const boundary = first.chunks[1]!.tokenStart; // first token shared by chunks 0 and 1
      const endToken = first.chunks[0]!.tokenEnd + 3; // a little past chunk 0's end
      const span = { start: tokens.starts[boundary - 2]!, end: tokens.ends[endToken]! };
      const prepared = prepareDocument(config, tokenizer, text, { overlap: 16, spans: [span] });
      const mask = spanTokenMask(tokens, [span]);
      for (const input of prepared.inputs.slice(0, 2)) {
        assert.equal(input.ids.length, input.chunk.tokenEnd - input.chunk.tokenStart + 2);
        assert.ok(input.ids.length <= 128);
        assert.equal(input.global[0], 1, '<s> stays global');
        let marked = 0;
        input.documentToken.forEach((token, p) => {
          if (token >= 0) {
            assert.equal(input.ids[p], tokens.ids[token]);
            assert.equal(input.global[p], mask[token]);
            marked += input.global[p]!;
          }
        });
        assert.ok(marked > 0, `chunk ${input.chunk.index} has span tokens`);
      }
      assert.deepEqual(
        [...prepared.spanTokens],
        [...mask.keys()].filter((i) => mask[i] === 1),
      );
    });

    it('puts the question first and makes it global for QA', () => {
      const qaConfig = { ...config, head: 'question-answering' as const };
      const question = tokenizer.tokenize('What do windows do?');
      const prepared = prepareDocument(qaConfig, tokenizer, text, {}, question);
      for (const input of prepared.inputs) {
        const q = question.ids.length;
        assert.ok(input.ids.length <= 128);
        assert.deepEqual([...input.ids.subarray(1, 1 + q)], [...question.ids]);
        assert.deepEqual([...input.ids.subarray(q + 1, q + 3)], [2, 2]);
        assert.deepEqual([...input.global.subarray(0, q + 1)], new Array<number>(q + 1).fill(1));
        assert.equal(
          input.global.subarray(q + 1).reduce((s, v) => s + v, 0),
          0,
        );
        assert.equal(input.ids.at(-1), 2);
      }
    });

    it('warns when globals exceed a quarter of a chunk', () => {
      const prepared = prepareDocument(config, tokenizer, text, { spans: [{ start: 0, end: 400 }] });
      assert.equal(prepared.warnings.length, 1);
      assert.match(prepared.warnings[0]!, /quarter/);
      assert.equal(prepareDocument(config, tokenizer, text, { spans: [{ start: 0, end: 20 }] }).warnings.length, 0);
    });

    it('rejects a length above the model limit, spans outside the document, and a too-long question', () => {
      assert.throws(() => prepareDocument(config, tokenizer, text, { maxLength: 129 }), isLensError('BAD_ARGUMENT'));
      assert.throws(
        () => prepareDocument(config, tokenizer, text, { spans: [{ start: 0, end: text.length + 1 }] }),
        isLensError('BAD_ARGUMENT'),
      );
      const longQuestion = tokenizer.tokenize('why '.repeat(200));
      assert.throws(() => prepareDocument(config, tokenizer, text, {}, longQuestion), isLensError('INPUT_TOO_LONG'));
      const small = { ...config, vocabSize: 120 };
      assert.throws(() => prepareDocument(small, tokenizer, text, {}), isLensError('BAD_TOKENIZER'));
    });
  });
});
