import assert from 'node:assert/strict';
import { chunkLenses } from '../../../src/extension/chunk-lenses';

describe('per-chunk classification lenses', () => {
  const chunk = (start: number, probabilities: number[]): { start: number; end: number; probabilities: Float32Array } => ({
    start,
    end: start + 10,
    probabilities: Float32Array.from(probabilities),
  });

  it('gives each chunk its label and score, and marks the chunks that disagree with the document', () => {
    const lenses = chunkLenses({
      labels: ['negative', 'positive'],
      label: 'positive',
      chunks: [chunk(0, [0.2, 0.8]), chunk(40, [0.7, 0.3])],
    });
    assert.deepEqual(lenses, [
      { start: 0, title: 'chunk 1 of 2: positive 80.0%', differs: false },
      { start: 40, title: '$(warning) chunk 2 of 2: negative 70.0% (the document: positive)', differs: true },
    ]);
  });

  it('shows nothing for a document that fits one chunk', () => {
    assert.deepEqual(chunkLenses({ labels: ['a', 'b'], label: 'a', chunks: [chunk(0, [0.6, 0.4])] }), []);
  });
});
