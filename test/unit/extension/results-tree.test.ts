import assert from 'node:assert/strict';
import { resultsTree } from '../../../src/extension/results-tree';

describe('results view rows', () => {
  // Three lines of 10 characters each (9 letters and a line break): offsets 0-9, 10-19, 20-29.
  const lineOf = (offset: number): number => Math.floor(offset / 10);
  const chunk = (start: number, end: number, probabilities: number[]): { start: number; end: number; probabilities: Float32Array } => ({
    start,
    end,
    probabilities: Float32Array.from(probabilities),
  });
  const result = {
    labels: ['negative', 'positive'],
    label: 'positive',
    probabilities: Float32Array.from([0.25, 0.75]),
    chunks: [chunk(0, 20, [0.2, 0.8]), chunk(10, 30, [0.7, 0.3]), chunk(20, 25, [0.4, 0.6])],
  };

  it('heads the tree with the document label and score, then one row per chunk with its lines, label and score', () => {
    const tree = resultsTree({ name: 'report.txt', result, lineOf });
    assert.deepEqual(tree.heading, {
      label: 'Document: positive 75.0%',
      description: '3 chunks, 1 with another label',
      tooltip: 'report.txt: negative 25.0%, positive 75.0%\n3 chunks, 1 with another label',
      icon: 'symbol-enum',
    });
    assert.equal(tree.message, undefined);
    assert.deepEqual(
      tree.chunks.map(({ label, description, firstLine, lastLine, start, end }) => ({
        label,
        description,
        firstLine,
        lastLine,
        start,
        end,
      })),
      [
        // The end offset is exclusive: a chunk ending at a line's first character ends on the line before.
        { label: 'Lines 1–2', description: 'positive 80.0%', firstLine: 1, lastLine: 2, start: 0, end: 20 },
        { label: 'Lines 2–3', description: 'negative 70.0% · differs from the document', firstLine: 2, lastLine: 3, start: 10, end: 30 },
        { label: 'Line 3', description: 'positive 60.0%', firstLine: 3, lastLine: 3, start: 20, end: 25 },
      ],
    );
  });

  it('marks a differing chunk by its icon and in words, not by colour alone', () => {
    const [same, differs] = resultsTree({ name: 'report.txt', result, lineOf }).chunks;
    assert.equal(same?.icon, 'pass');
    assert.equal(same?.differs, false);
    assert.match(same?.tooltip ?? '', /^Chunk 1 of 3, lines 1–2: negative 20\.0%, positive 80\.0%\nThe same label as the document\./);
    assert.equal(differs?.icon, 'warning');
    assert.equal(differs?.differs, true);
    assert.match(differs?.tooltip ?? '', /Its label differs from the document's \(positive\)\./);
  });

  it('says why a result is stale, on the heading and above the tree', () => {
    const tree = resultsTree({ name: 'report.txt', result, lineOf, stale: 'the document has changed since' });
    assert.equal(tree.heading.icon, 'history');
    assert.equal(tree.heading.description, '3 chunks, 1 with another label · stale');
    assert.match(tree.heading.tooltip, /\nStale: the document has changed since\.$/);
    assert.equal(tree.message, 'Stale: the document has changed since. Classify the document again for current results.');
    assert.equal(tree.chunks.length, 3, 'the chunks stay listed');
  });

  it('lists the single chunk of a short document without counting differences', () => {
    const tree = resultsTree({
      name: 'note.md',
      result: { ...result, chunks: [chunk(0, 9, [0.1, 0.9])] },
      lineOf,
    });
    assert.equal(tree.heading.description, '1 chunk');
    assert.deepEqual(
      tree.chunks.map((row) => [row.label, row.description]),
      [['Line 1', 'positive 90.0%']],
    );
  });
});
