import assert from 'node:assert/strict';
import type { Chunk } from '../../../src/core/tasks/chunking';
import { spanCoverage } from '../../../src/core/tasks/span-coverage';

describe('span coverage', () => {
  // Ten tokens of two characters each ("aa bb ..." without spaces): token i covers [2i, 2i + 2).
  const tokens = {
    ids: new Int32Array(10),
    starts: Uint32Array.from({ length: 10 }, (_, i) => 2 * i),
    ends: Uint32Array.from({ length: 10 }, (_, i) => 2 * i + 2),
  };
  const chunk = (index: number, tokenStart: number, tokenEnd: number): Chunk => ({
    index,
    tokenStart,
    tokenEnd,
    charStart: 2 * tokenStart,
    charEnd: 2 * tokenEnd,
  });
  // Two chunks sharing tokens 4 and 5.
  const chunks = [chunk(0, 0, 6), chunk(1, 4, 10)];

  it('counts the tokens a span overlaps, partly covered ones included', () => {
    assert.deepEqual(spanCoverage(tokens, chunks, { start: 1, end: 5 }), { tokens: 3, chunks: [0] });
  });

  it('names both chunks for a span in their overlap, and only the later one past it', () => {
    assert.deepEqual(spanCoverage(tokens, chunks, { start: 8, end: 10 }), { tokens: 1, chunks: [0, 1] });
    assert.deepEqual(spanCoverage(tokens, chunks, { start: 14, end: 20 }), { tokens: 3, chunks: [1] });
  });
});
