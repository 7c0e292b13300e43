// Tensor comparison for the reference tests: shapes must agree exactly, values within an absolute tolerance, and a
// failure names the output, the worst element and both values, so a mismatch can be found without a debugger.
import type { FloatTensor } from '../../src/core/checkpoint/tensor';
import { formatShape } from '../../src/core/checkpoint/tensor';

export interface Difference {
  readonly maxAbs: number;
  /** Row-major index of the worst element, -1 when the tensors are empty. */
  readonly worstIndex: number;
}

export function maxAbsDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): Difference {
  if (actual.length !== expected.length) throw new Error(`lengths differ: ${actual.length} vs ${expected.length}`);
  let maxAbs = 0;
  let worstIndex = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? Number.NaN;
    const e = expected[i] ?? Number.NaN;
    // NaN anywhere is a failure, never a silently ignored element.
    const diff = Number.isNaN(a) || Number.isNaN(e) ? Number.POSITIVE_INFINITY : Math.abs(a - e);
    if (diff > maxAbs || worstIndex < 0) {
      maxAbs = Math.max(maxAbs, diff);
      worstIndex = i;
    }
  }
  return { maxAbs, worstIndex };
}

/** Multi-index of a row-major flat index, for messages. */
export function unravel(index: number, shape: readonly number[]): number[] {
  const out: number[] = [];
  let rest = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const dim = shape[axis] ?? 1;
    out.unshift(rest % dim);
    rest = Math.floor(rest / dim);
  }
  return out;
}

/**
 * Asserts `actual` matches `expected` in shape and within `tolerance`; returns the max difference so callers can
 * report how close they got.
 */
export function expectClose(label: string, actual: FloatTensor, expected: FloatTensor, tolerance: number): number {
  if (formatShape(actual.shape) !== formatShape(expected.shape)) {
    throw new Error(`${label}: shape ${formatShape(actual.shape)}, expected ${formatShape(expected.shape)}`);
  }
  const { maxAbs, worstIndex } = maxAbsDifference(actual.data, expected.data);
  if (maxAbs > tolerance) {
    const where = formatShape(unravel(worstIndex, actual.shape));
    throw new Error(
      `${label}: max |diff| ${maxAbs.toExponential(3)} > ${tolerance} at ${where}: ` +
        `got ${actual.data[worstIndex]}, expected ${expected.data[worstIndex]}`,
    );
  }
  return maxAbs;
}
