import { strict as assert } from 'node:assert';
import { syntheticConfig } from '../../../src/core/checkpoint/synthetic';
import { activationFor, aggregateClassification, labelNames } from '../../../src/core/tasks/classify';

const close = (a: ArrayLike<number>, b: readonly number[]): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i += 1) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-6, `${i}: ${a[i]} vs ${b[i]}`);
};

describe('classification aggregation', () => {
  const chunks = [
    [1, 0, -1],
    [3, 0, 1],
  ];
  const ranges = [
    { start: 0, end: 10 },
    { start: 8, end: 20 },
  ];
  const labels = ['a', 'b', 'c'];

  it('softmax over the mean logits by default, per-chunk probabilities with their ranges', () => {
    const result = aggregateClassification(chunks, ranges, labels, 'softmax');
    close(result.logits, [2, 0, 0]);
    const z = Math.exp(2) + 2;
    close(result.probabilities, [Math.exp(2) / z, 1 / z, 1 / z]);
    assert.equal(result.label, 'a');
    assert.deepEqual(
      result.chunks.map((c) => [c.start, c.end]),
      [
        [0, 10],
        [8, 20],
      ],
    );
    const z0 = Math.exp(1) + 1 + Math.exp(-1);
    close(result.chunks[0]!.probabilities, [Math.exp(1) / z0, 1 / z0, Math.exp(-1) / z0]);
  });

  it('max aggregation, sigmoid for multi-label, raw values for regression', () => {
    const max = aggregateClassification(chunks, ranges, labels, 'softmax', 'max');
    close(max.logits, [3, 0, 1]);
    const multi = aggregateClassification(chunks, ranges, labels, 'sigmoid');
    close(multi.probabilities, [1 / (1 + Math.exp(-2)), 0.5, 0.5]);
    const regression = aggregateClassification([[0.25], [0.75]], ranges, ['score'], 'none');
    close(regression.probabilities, [0.5]);
  });

  it('picks the activation from problem_type and names labels from id2label', () => {
    const config = syntheticConfig({ head: 'sequence-classification', labels: ['neg', 'pos'] });
    assert.equal(activationFor(config), 'softmax');
    assert.equal(activationFor({ ...config, problemType: 'multi_label_classification' }), 'sigmoid');
    assert.equal(activationFor({ ...config, problemType: 'regression' }), 'none');
    assert.deepEqual(labelNames(config, 2), ['neg', 'pos']);
    assert.deepEqual(labelNames({ ...config, id2label: [] }, 2), ['LABEL_0', 'LABEL_1']);
  });
});
