// The head's fit: multinomial logistic regression with L2, and the cross-validation that picks its strength.
import { strict as assert } from 'node:assert';
import { assignFolds, crossValidate, MIN_EXAMPLES_PER_LABEL } from '../../../src/core/head/cross-validation';
import { fitLogisticRegression, headLogits, predictClass } from '../../../src/core/head/logistic-regression';
import { rng } from '../tasks/helpers';

/** Three Gaussian clusters in `dims` dimensions, the class in the first three coordinates' means. */
function clusters(perClass: number, dims: number, seed: number, spread = 1): { x: Float32Array[]; y: number[] } {
  const random = rng(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const x: Float32Array[] = [];
  const y: number[] = [];
  for (let c = 0; c < 3; c += 1) {
    for (let i = 0; i < perClass; i += 1) {
      // Large offsets and scales per dimension: the fit must not depend on the features' units.
      x.push(Float32Array.from({ length: dims }, (_, d) => 100 + (d + 1) * 10 * ((d === c ? 3 : 0) + spread * gauss())));
      y.push(c);
    }
  }
  return { x, y };
}

/** The penalised objective on standardised features, as the fit defines it, for a head given on raw features. */
function lossOf(x: readonly Float32Array[], y: readonly number[], logits: (row: Float32Array) => Float64Array): number {
  let loss = 0;
  x.forEach((row, i) => {
    const z = logits(row);
    const max = Math.max(...z);
    loss += max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0)) - z[y[i]!]!;
  });
  return loss / x.length;
}

describe('logistic regression head', () => {
  it('separates clusters whatever the feature scale, and gives the same head twice', () => {
    const { x, y } = clusters(20, 6, 1);
    const head = fitLogisticRegression(x, y, 3, { l2: 1e-2 });
    const again = fitLogisticRegression(x, y, 3, { l2: 1e-2 });
    assert.deepEqual(again.weight, head.weight);
    assert.deepEqual(again.bias, head.bias);
    const correct = y.filter((target, i) => predictClass(head, x[i]!) === target).length;
    assert.ok(correct >= 57, `${correct}/60`);
    const test = clusters(10, 6, 2);
    const heldOut = test.y.filter((target, i) => predictClass(head, test.x[i]!) === target).length;
    assert.ok(heldOut >= 27, `held out ${heldOut}/30`);
  });

  it('reaches the minimum: no small change of the weights lowers the penalised loss', () => {
    const { x, y } = clusters(15, 4, 3, 2);
    const l2 = 0.1;
    const head = fitLogisticRegression(x, y, 3, { l2, tolerance: 1e-9 });
    // The penalty is on standardised weights: W_std[c][d] = W[c][d] * scale[d].
    const dims = 4;
    const scale = Array.from({ length: dims }, (_, d) => {
      const mean = x.reduce((s, row) => s + row[d]!, 0) / x.length;
      return Math.sqrt(x.reduce((s, row) => s + (row[d]! - mean) ** 2, 0) / x.length);
    });
    const objective = (weight: Float64Array, bias: Float64Array): number => {
      let penalty = 0;
      for (let c = 0; c < 3; c += 1) for (let d = 0; d < dims; d += 1) penalty += (weight[c * dims + d]! * scale[d]!) ** 2;
      return lossOf(x, y, (row) => headLogits({ classes: 3, dims, weight, bias }, row)) + (l2 / 2) * penalty;
    };
    const best = objective(head.weight, head.bias);
    for (let k = 0; k < 3 * dims; k += 1) {
      for (const step of [1e-3, -1e-3]) {
        const weight = Float64Array.from(head.weight);
        weight[k]! += step / scale[k % dims]!;
        assert.ok(objective(weight, head.bias) >= best - 1e-9, `weight ${k} ${step}`);
      }
    }
    for (let c = 0; c < 3; c += 1) {
      const bias = Float64Array.from(head.bias);
      bias[c]! += 1e-3;
      assert.ok(objective(head.weight, bias) >= best - 1e-9, `bias ${c}`);
    }
  });

  it('a stronger penalty gives smaller weights', () => {
    const { x, y } = clusters(10, 5, 4);
    const norm = (l2: number): number => fitLogisticRegression(x, y, 3, { l2 }).weight.reduce((s, w) => s + w * w, 0);
    assert.ok(norm(1) < norm(0.1) && norm(0.1) < norm(0.001));
  });

  it('cross-validation: stratified folds, a confusion matrix over every example, none with too few examples', () => {
    assert.deepEqual(assignFolds([0, 0, 0, 1, 1, 1, 1], 2, 3), [0, 1, 2, 0, 1, 2, 0]);
    const { x, y } = clusters(6, 5, 5);
    const cv = crossValidate(x, y, 3)!;
    assert.equal(cv.folds, 5);
    assert.equal(
      cv.confusion.flat().reduce((a, b) => a + b),
      18,
    );
    assert.equal(cv.accuracy, cv.confusion.reduce((s, row, i) => s + row[i]!, 0) / 18);
    assert.equal(cv.strengths.find((s) => s.l2 === cv.l2)?.accuracy, cv.accuracy);
    assert.equal(Math.max(...cv.strengths.map((s) => s.accuracy)), cv.accuracy);
    const few = { x: x.slice(0, 8), y: y.slice(0, 8) }; // 6 of label 0, 2 of label 1, none of label 2
    assert.equal(crossValidate(few.x, few.y, 2), null);
    assert.equal(MIN_EXAMPLES_PER_LABEL, 3);
  });
});
