import { strict as assert } from 'node:assert';
import {
  chunkSpans,
  maskedSoftmax,
  mergeAnswers,
  type SpanCandidate,
  tokenRanges,
  topSpans,
  wordRanges,
} from '../../../src/core/tasks/answer';
import { fixtureTokenizer } from './helpers';
import { rng } from './helpers';

function bruteForce(pStart: Float64Array, pEnd: Float64Array, allowed: Uint8Array, topK: number, maxLength: number): SpanCandidate[] {
  const all: SpanCandidate[] = [];
  for (let s = 0; s < pStart.length; s += 1) {
    for (let e = 0; e < pEnd.length; e += 1) {
      if (e < s || e - s + 1 > maxLength || allowed[s] !== 1 || allowed[e] !== 1) continue;
      all.push({ start: s, end: e, score: pStart[s]! * pEnd[e]! });
    }
  }
  all.sort((a, b) => b.score - a.score || a.start - b.start || a.end - b.end);
  return all.slice(0, topK);
}

describe('answer span search', () => {
  it('equals brute force over all (start, end) pairs on random logits', () => {
    const random = rng(5);
    for (let trial = 0; trial < 300; trial += 1) {
      const n = 1 + Math.floor(random() * 60);
      const keep = Uint8Array.from({ length: n }, () => (random() < 0.8 ? 1 : 0));
      const pStart = maskedSoftmax(
        Float32Array.from({ length: n }, () => (random() - 0.5) * 12),
        keep,
      );
      const pEnd = maskedSoftmax(
        Float32Array.from({ length: n }, () => (random() - 0.5) * 12),
        keep,
      );
      // Some trials with ties: quantized probabilities.
      if (trial % 5 === 0) for (const p of [pStart, pEnd]) p.forEach((v, i) => (p[i] = Math.round(v * 8) / 8));
      const topK = 1 + Math.floor(random() * 8);
      const maxLength = 1 + Math.floor(random() * 20);
      assert.deepEqual(topSpans(pStart, pEnd, keep, topK, maxLength), bruteForce(pStart, pEnd, keep, topK, maxLength), `trial ${trial}`);
    }
  });

  it('scores like the HF pipeline: masked softmax keeps <s>, null score from <s>, spans only inside the context', () => {
    // <s> q q </s> </s> c c c </s>
    const documentToken = Int32Array.from([-1, -1, -1, -1, -1, 0, 1, 2, -1]);
    const start = [2, 9, 9, 9, 9, 1, 3, 0, 9];
    const end = [2, 9, 9, 9, 9, 0, 1, 4, 9];
    const result = chunkSpans({ documentToken }, start, end, () => true, 3, 15);
    const keep = Uint8Array.from([1, 0, 0, 0, 0, 1, 1, 1, 0]);
    const softStart = [2, 1, 3, 0].map(Math.exp);
    const softEnd = [2, 0, 1, 4].map(Math.exp);
    const zs = softStart.reduce((a, b) => a + b);
    const ze = softEnd.reduce((a, b) => a + b);
    // The question and separators (logit 9, the largest) get no probability: they were set to -10000.
    assert.ok(Math.abs(maskedSoftmax(start, keep)[1]!) < 1e-300);
    assert.ok(Math.abs(result.nullScore - (softStart[0]! / zs) * (softEnd[0]! / ze)) < 1e-12);
    const best = result.spans[0]!;
    assert.deepEqual([best.start, best.end], [6, 7]);
    assert.ok(Math.abs(best.score - (softStart[2]! / zs) * (softEnd[3]! / ze)) < 1e-12);
    for (const span of result.spans) assert.ok(span.start >= 5 && span.end <= 7 && span.start <= span.end);
  });

  it('never starts or ends an answer on a token without text', () => {
    const documentToken = Int32Array.from([-1, -1, -1, -1, 0, 1, 2, -1]);
    const result = chunkSpans({ documentToken }, [0, 0, 0, 0, 0, 9, 0, 0], [0, 0, 0, 0, 0, 9, 0, 0], (t) => t !== 1, 5, 15);
    for (const span of result.spans) assert.ok(span.start !== 5 && span.end !== 5);
  });

  it('merges chunks: maps to characters, drops duplicates, and says "no answer" when the null score wins', () => {
    const doc = 'alpha beta gamma';
    const starts = Uint32Array.from([0, 6, 11]);
    const ends = Uint32Array.from([5, 10, 16]);
    const input = { documentToken: Int32Array.from([-1, -1, -1, -1, 0, 1, 2, -1]) };
    const a = {
      nullScore: 0.3,
      spans: [
        { start: 5, end: 5, score: 0.5 },
        { start: 4, end: 6, score: 0.1 },
      ],
    };
    const b = {
      nullScore: 0.2,
      spans: [
        { start: 5, end: 5, score: 0.4 },
        { start: 6, end: 6, score: 0.25 },
      ],
    };
    const ranges = tokenRanges({ ids: new Int32Array(3), starts, ends });
    const merged = mergeAnswers(
      doc,
      [
        { input, spans: a, chunk: 0 },
        { input, spans: b, chunk: 1 },
      ],
      ranges,
      3,
    );
    assert.deepEqual(
      merged.answers.map((x) => [x.text, x.start, x.end, x.score, x.chunk]),
      [
        ['beta', 6, 10, 0.5, 0],
        ['gamma', 11, 16, 0.25, 1],
        ['alpha beta gamma', 0, 16, 0.1, 0],
      ],
    );
    assert.equal(merged.nullScore, 0.2);
    assert.equal(merged.noAnswer, false);
    const nullWins = mergeAnswers(doc, [{ input, spans: { nullScore: 0.6, spans: a.spans }, chunk: 0 }], ranges, 1);
    assert.equal(nullWins.noAnswer, true);
    assert.equal(nullWins.answers[0]!.text, 'beta');
  });

  it('widens answers to whole words, as the pipeline aligns to words', () => {
    const text = 'A naïve Über-model, 東京 ok';
    const tokens = fixtureTokenizer().tokenize(text);
    const words = wordRanges(tokens);
    const exact = tokenRanges(tokens);
    for (let first = 0; first < tokens.ids.length; first += 1) {
      for (let last = first; last < tokens.ids.length; last += 1) {
        const { start, end } = words(first, last);
        const inner = exact(first, last);
        if (inner.end <= inner.start) continue;
        assert.ok(start <= inner.start && end >= inner.end, `${first}..${last}`);
        // Never cuts a word: the range starts and ends at the edge of a pre-tokenizer piece.
        assert.ok(
          start === 0 || /[\s\-,]/u.test(text[start - 1]!) || /[\s\-,]/u.test(text[start]!),
          `${first}..${last}: ${JSON.stringify(text.slice(start, end))}`,
        );
        assert.ok(
          end === text.length || /[\s\-,]/u.test(text[end]!) || /[\s\-,]/u.test(text[end - 1]!),
          `${first}..${last}: ${JSON.stringify(text.slice(start, end))}`,
        );
      }
    }
    // Every token of "Über" and of "東京" widens to the whole word, whatever the BPE pieces are.
    for (const [from, to] of [
      [8, 12],
      [20, 22],
    ] as const) {
      const inside = [...tokens.ids.keys()].filter((i) => tokens.starts[i]! >= from && tokens.ends[i]! <= to);
      assert.ok(inside.length > 1);
      for (const i of inside) assert.deepEqual(words(i, i), { start: from, end: to });
    }
  });
});
