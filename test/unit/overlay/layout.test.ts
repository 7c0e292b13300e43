import assert from 'node:assert/strict';
import { tokenAtOffset } from '../../../src/core/tasks/token-offsets';
import {
  firstTokenEndingAfter,
  rowOfOffset,
  rowPieces,
  rowRange,
  scrollToShow,
  visibleRows,
  windowBand,
  wrapRows,
} from '../../../src/extension/overlay/layout';

function rows(text: string, columns: number): string[] {
  const starts = wrapRows(text, columns);
  return [...starts.keys()].map((row) => {
    const { start, end } = rowRange(text, starts, row);
    return text.slice(start, end);
  });
}

describe('overlay layout', () => {
  it('wraps at the last space that fits, keeps line breaks, and cuts words longer than a row', () => {
    assert.deepEqual(rows('the quick brown fox jumps over\nthe lazy dog', 10), [
      'the quick ',
      'brown fox ',
      'jumps over',
      'the lazy ',
      'dog',
    ]);
    assert.deepEqual(rows('abcdefghijklmnopqrstuvwxyz', 8), ['abcdefgh', 'ijklmnop', 'qrstuvwx', 'yz']);
    assert.deepEqual(rows('one\r\n\r\ntwo\n', 8), ['one', '', 'two']);
  });

  it('counts a tab to the next tab stop and never splits a surrogate pair', () => {
    // Eight characters, but the first tab takes three cells: the row is full before "ef".
    assert.deepEqual(rows('a\tbcd\tef', 8), ['a\tbcd\t', 'ef']);
    assert.deepEqual(rows('abcdefgh', 8), ['abcdefgh']);
    const emoji = '😀'.repeat(6);
    for (const row of rows(emoji, 8)) assert.ok(!/^[\udc00-\udfff]/.test(row) && !/[\ud800-\udbff]$/.test(row), row);
    assert.equal(rows(emoji, 8).join(''), emoji);
  });

  it('covers the whole text with rows in order, for any width', () => {
    const text = 'Lorem ipsum dolor sit amet,\nconsectetur  adipiscing elit;\n\n\tsed do eiusmod tempor incididunt ut labore.';
    for (const columns of [8, 11, 17, 40, 200]) {
      const starts = wrapRows(text, columns);
      for (let row = 1; row < starts.length; row += 1) assert.ok(starts[row]! > starts[row - 1]!);
      for (let offset = 0; offset < text.length; offset += 1) {
        const row = rowOfOffset(starts, offset);
        assert.ok(starts[row]! <= offset && (starts[row + 1] ?? Infinity) > offset);
      }
    }
  });

  it('cuts a row into token pieces and the gaps between them', () => {
    // "Hello world!" tokenized as Hello | world | ! with the space left between tokens.
    const starts = Uint32Array.from([0, 6, 11]);
    const ends = Uint32Array.from([5, 11, 12]);
    assert.deepEqual(rowPieces(starts, ends, 0, 12), [
      { start: 0, end: 5, token: 0 },
      { start: 5, end: 6, token: -1 },
      { start: 6, end: 11, token: 1 },
      { start: 11, end: 12, token: 2 },
    ]);
    // A row boundary inside "world" clips the token on both rows.
    assert.deepEqual(rowPieces(starts, ends, 8, 12), [
      { start: 8, end: 11, token: 1 },
      { start: 11, end: 12, token: 2 },
    ]);
    assert.equal(firstTokenEndingAfter(ends, 5), 1);
    assert.equal(tokenAtOffset(starts, ends, 7), 1);
    assert.equal(tokenAtOffset(starts, ends, 5), 0, 'the gap after a token maps to it');
  });

  it('keeps only the rows in view plus the overscan, and scrolls a row into the middle', () => {
    assert.deepEqual(visibleRows(0, 400, 20, 30000), { start: 0, end: 30 });
    assert.deepEqual(visibleRows(200000, 400, 20, 30000), { start: 9990, end: 10030 });
    assert.deepEqual(visibleRows(599990, 400, 20, 30000), { start: 29989, end: 30000 });
    assert.deepEqual(visibleRows(0, 400, 20, 0), { start: 0, end: 0 });
    assert.equal(scrollToShow(5, 0, 400, 20), 0, 'a row in view does not scroll');
    assert.equal(scrollToShow(1000, 0, 400, 20), 20000 - 190);
  });

  it('draws a window band of the layer radius, clipped to the document', () => {
    assert.deepEqual(windowBand(10, 4, 100), { first: 6, last: 14 });
    assert.deepEqual(windowBand(2, 4, 5), { first: 0, last: 4 });
  });
});
