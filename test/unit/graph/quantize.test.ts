// Per-column symmetric quantization of the dense weights (weights.ts): the round trip is within half a step per
// column, columns are scaled independently, and values stay inside the range asked for (63: the 7-bit weights of
// the int7 scheme, 127: uint8 weights around their zero point 128).
import { strict as assert } from 'node:assert';
import { quantizePerColumn } from '../../../src/core/graph/longformer/weights';

describe('int8 weight quantization', () => {
  for (const levels of [63, 127]) {
    it(`round-trips every value within half a step of its column, inside ±${levels}`, () => {
      const rows = 5;
      const cols = 3;
      // Column 0 small, column 1 large, column 2 all zero.
      const data = Float32Array.from({ length: rows * cols }, (_, i) =>
        i % cols === 2 ? 0 : Math.sin(i + 1) * (i % cols === 0 ? 0.01 : 4),
      );
      const { q, scale } = quantizePerColumn(data, rows, cols, levels);
      for (let c = 0; c < cols; c += 1) {
        let max = 0;
        for (let r = 0; r < rows; r += 1) max = Math.max(max, Math.abs(data[r * cols + c] ?? 0));
        assert.equal(scale[c], max === 0 ? 1 : Math.fround(max / levels));
        for (let r = 0; r < rows; r += 1) {
          const value = q[r * cols + c] ?? 0;
          assert.ok(Number.isInteger(value) && Math.abs(value) <= levels);
          assert.ok(Math.abs(value * (scale[c] ?? 0) - (data[r * cols + c] ?? 0)) <= (scale[c] ?? 0) / 2 + 1e-9);
        }
      }
      // The largest magnitude of a column maps to ±levels exactly.
      assert.ok([...q].some((value) => Math.abs(value) === levels));
    });
  }
});
