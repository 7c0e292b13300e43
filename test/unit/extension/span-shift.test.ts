import assert from 'node:assert/strict';
import { addSpan, removeRange, shiftSpans, spanAt } from '../../../src/extension/span-shift';

describe('global span bookkeeping under edits', () => {
  const text = 'alpha beta gamma delta';
  const beta = { start: 6, end: 10 };

  it('moves a span when text is inserted before it, and keeps it on the same word', () => {
    const [moved] = shiftSpans([beta], { offset: 0, removed: 0, inserted: 4 });
    assert.deepEqual(moved, { start: 10, end: 14 });
    assert.equal(('new ' + text).slice(moved.start, moved.end), 'beta');
  });

  it('ignores edits after a span and insertions at its boundaries', () => {
    assert.deepEqual(shiftSpans([beta], { offset: 15, removed: 2, inserted: 9 }), [beta]);
    assert.deepEqual(shiftSpans([beta], { offset: 10, removed: 0, inserted: 3 }), [beta]);
    assert.deepEqual(shiftSpans([beta], { offset: 6, removed: 0, inserted: 3 }), [{ start: 9, end: 13 }]);
  });

  it('grows a span when typing inside it and shrinks it when its edge is deleted', () => {
    assert.deepEqual(shiftSpans([beta], { offset: 8, removed: 0, inserted: 2 }), [{ start: 6, end: 12 }]);
    // Delete "a be" (offsets 4..8): the span keeps "ta".
    assert.deepEqual(shiftSpans([beta], { offset: 4, removed: 4, inserted: 0 }), [{ start: 4, end: 6 }]);
  });

  it('drops a span whose text is deleted entirely', () => {
    assert.deepEqual(shiftSpans([beta], { offset: 5, removed: 6, inserted: 0 }), []);
  });

  it('merges overlapping and touching spans and removes ranges from them', () => {
    assert.deepEqual(
      addSpan(
        [
          { start: 0, end: 5 },
          { start: 11, end: 16 },
        ],
        { start: 4, end: 11 },
      ),
      [{ start: 0, end: 16 }],
    );
    assert.deepEqual(addSpan([{ start: 11, end: 16 }], beta), [beta, { start: 11, end: 16 }]);
    assert.deepEqual(removeRange([{ start: 0, end: 16 }], beta), [
      { start: 0, end: 6 },
      { start: 10, end: 16 },
    ]);
  });

  it('finds the mark under a cursor, its ends included, so unmarking removes the whole mark', () => {
    const spans = [
      { start: 0, end: 6 },
      { start: 10, end: 27 },
    ];
    assert.deepEqual(spanAt(spans, 18), { start: 10, end: 27 }, 'a cursor inside the second word of a three-word mark');
    assert.deepEqual(spanAt(spans, 27), { start: 10, end: 27 }, 'just after the mark');
    assert.equal(spanAt(spans, 8), undefined);
    const mark = spanAt(spans, 18)!;
    assert.deepEqual(removeRange(spans, mark), [{ start: 0, end: 6 }], 'the whole mark goes, not one word of it');
  });
});
