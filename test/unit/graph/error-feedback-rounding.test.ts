// int8 rounding with GPTQ's error feedback (graph/int8/error-feedback-rounding.ts): the factorizations it rests on,
// that uncorrelated inputs give plain nearest rounding, and that on inputs with a shared direction (as a
// transformer's hidden states have) the layer's outputs move far less than with nearest rounding.
import { strict as assert } from 'node:assert';
import { cholesky, groupSize, inverseCholeskyUpper, roundWithErrorFeedback } from '../../../src/core/graph/int8/error-feedback-rounding';
import { quantizePerColumn } from '../../../src/core/graph/longformer/weights';

/** A deterministic generator of values uniform in [-1, 1). */
function uniform(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

/** X ([rows, cols] row-major): a direction every row shares plus independent noise. */
function correlatedInputs(rows: number, cols: number, seed: number): Float32Array {
  const next = uniform(seed);
  const shared = Array.from({ length: cols }, () => 1 + next());
  return Float32Array.from({ length: rows * cols }, (_, i) => 2 * (shared[i % cols] ?? 0) + 0.3 * next());
}

/** The Gram blocks of X's columns in groups of groupSize(cols): [cols / g, g, g]. */
function gramBlocks(x: Float32Array, rows: number, cols: number): Float32Array {
  const g = groupSize(cols);
  const blocks = new Float32Array(cols * g);
  for (let first = 0; first < cols; first += g) {
    for (let i = 0; i < g; i += 1) {
      for (let j = 0; j < g; j += 1) {
        let sum = 0;
        for (let r = 0; r < rows; r += 1) sum += (x[r * cols + first + i] ?? 0) * (x[r * cols + first + j] ?? 0);
        blocks[first * g + i * g + j] = sum;
      }
    }
  }
  return blocks;
}

/** ‖X (W − Q·scale)‖ over all rows and output columns: how far the layer's outputs move. */
function outputError(
  x: Float32Array,
  rows: number,
  weightT: Float32Array,
  inF: number,
  outF: number,
  q: Int8Array | Int32Array,
  scale: Float32Array,
): number {
  let sum = 0;
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < outF; c += 1) {
      let delta = 0;
      for (let i = 0; i < inF; i += 1) {
        delta += (x[r * inF + i] ?? 0) * ((weightT[i * outF + c] ?? 0) - (q[i * outF + c] ?? 0) * (scale[c] ?? 0));
      }
      sum += delta * delta;
    }
  }
  return Math.sqrt(sum);
}

describe('int8 rounding with error feedback', () => {
  it('groups input features by the largest divisor of the width up to 64', () => {
    assert.deepEqual([768, 3072, 32, 100, 7, 1].map(groupSize), [64, 64, 32, 50, 7, 1]);
  });

  it('factorizes: L Lᵀ gives the matrix back, and Uᵀ U inverts the damped matrix', () => {
    const n = 6;
    const a = correlatedInputs(20, n, 3);
    const gram = gramBlocks(a, 20, n);
    const l = cholesky(Float64Array.from(gram), n);
    for (let i = 0; i < n; i += 1) {
      for (let j = 0; j < n; j += 1) {
        let sum = 0;
        for (let k = 0; k < n; k += 1) sum += (l[i * n + k] ?? 0) * (l[j * n + k] ?? 0);
        assert.ok(Math.abs(sum - (gram[i * n + j] ?? 0)) < 1e-6 * Math.abs(gram[i * n + i] ?? 1), `L Lᵀ at ${i},${j}`);
        if (j > i) assert.equal(l[i * n + j], 0);
      }
    }
    const u = inverseCholeskyUpper(gram, n);
    let trace = 0;
    for (let i = 0; i < n; i += 1) trace += gram[i * n + i] ?? 0;
    const damped = (i: number, j: number): number => (gram[i * n + j] ?? 0) + (i === j ? (0.01 * trace) / n : 0);
    for (let i = 0; i < n; i += 1) {
      for (let j = 0; j < n; j += 1) {
        // (H + λI) · Uᵀ U = I
        let sum = 0;
        for (let k = 0; k < n; k += 1) {
          let inverse = 0;
          for (let m = 0; m < n; m += 1) inverse += (u[m * n + k] ?? 0) * (u[m * n + j] ?? 0);
          sum += damped(i, k) * inverse;
        }
        assert.ok(Math.abs(sum - (i === j ? 1 : 0)) < 1e-6, `(H + λI) Uᵀ U at ${i},${j}: ${sum}`);
        if (j < i) assert.equal(u[i * n + j], 0);
      }
    }
  });

  it('rounds to nearest when the inputs are uncorrelated (a diagonal Gram matrix)', () => {
    const inF = 128;
    const outF = 10;
    const next = uniform(5);
    const weightT = Float32Array.from({ length: inF * outF }, () => 0.05 * next());
    const gram = new Float32Array(inF * groupSize(inF));
    const g = groupSize(inF);
    for (let first = 0; first < inF; first += g) for (let i = 0; i < g; i += 1) gram[first * g + i * g + i] = 2 + (i % 3);
    const nearest = quantizePerColumn(weightT, inF, outF, 63);
    const fed = roundWithErrorFeedback(weightT, inF, outF, 63, gram);
    assert.deepEqual(fed.scale, nearest.scale);
    assert.deepEqual([...fed.q], [...nearest.q]);
  });

  for (const levels of [63, 127]) {
    it(`moves the outputs far less than nearest rounding on inputs with a shared direction (±${levels})`, () => {
      const rows = 200;
      const inF = 96; // groups of 48
      const outF = 12;
      const x = correlatedInputs(rows, inF, 11);
      const next = uniform(17);
      const weightT = Float32Array.from({ length: inF * outF }, () => 0.1 * next());
      const nearest = quantizePerColumn(weightT, inF, outF, levels);
      const fed = roundWithErrorFeedback(weightT, inF, outF, levels, gramBlocks(x, rows, inF));
      assert.ok(fed.q.every((value) => Number.isInteger(value) && Math.abs(value) <= levels));
      assert.notDeepEqual([...fed.q], [...nearest.q]);
      const nearestError = outputError(x, rows, weightT, inF, outF, nearest.q, nearest.scale);
      const fedError = outputError(x, rows, weightT, inF, outF, fed.q, fed.scale);
      assert.ok(fedError < 0.5 * nearestError, `error feedback ${fedError} against nearest rounding ${nearestError}`);
    });
  }

  it('rejects Gram blocks of the wrong size', () => {
    assert.throws(() => roundWithErrorFeedback(new Float32Array(64 * 2), 64, 2, 63, new Float32Array(10)), /Gram values/);
  });
});
