// Per-column symmetric int8 quantization of the dense weights (weights.ts): the round trip is within half a step per
// column, columns are scaled independently, and values stay inside the 7-bit range onnxruntime's AVX2 kernels need.
import { strict as assert } from 'node:assert';
import { INT8_WEIGHT_LEVELS, quantizePerColumn } from '../../../src/core/graph/longformer/weights';

describe('int8 weight quantization', () => {
  it('round-trips every value within half a step of its column, inside ±levels', () => {
    const rows = 5;
    const cols = 3;
    // Column 0 small, column 1 large, column 2 all zero.
    const data = Float32Array.from({ length: rows * cols }, (_, i) => (i % cols === 2 ? 0 : Math.sin(i + 1) * (i % cols === 0 ? 0.01 : 4)));
    const { q, scale } = quantizePerColumn(data, rows, cols);
    for (let c = 0; c < cols; c += 1) {
      let max = 0;
      for (let r = 0; r < rows; r += 1) max = Math.max(max, Math.abs(data[r * cols + c] ?? 0));
      assert.equal(scale[c], max === 0 ? 1 : Math.fround(max / INT8_WEIGHT_LEVELS));
      for (let r = 0; r < rows; r += 1) {
        const value = q[r * cols + c] ?? 0;
        assert.ok(Math.abs(value) <= INT8_WEIGHT_LEVELS);
        assert.ok(Math.abs(value * (scale[c] ?? 0) - (data[r * cols + c] ?? 0)) <= (scale[c] ?? 0) / 2 + 1e-9);
      }
    }
    // The largest magnitude of a column maps to ±levels exactly.
    assert.ok([...q].some((value) => Math.abs(value) === INT8_WEIGHT_LEVELS));
  });
});
