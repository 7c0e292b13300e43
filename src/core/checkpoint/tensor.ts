// A tensor as the engine uses it: float32 or int64 data in row-major order with its shape.

export type TensorDType = 'float32' | 'int64';

export interface FloatTensor {
  readonly dtype: 'float32';
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface Int64Tensor {
  readonly dtype: 'int64';
  readonly shape: readonly number[];
  readonly data: BigInt64Array;
}

export type Tensor = FloatTensor | Int64Tensor;

/** Weights by their PyTorch state_dict name. A Map, so that hostile names such as `__proto__` stay plain keys. */
export type StateDict = Map<string, Tensor>;

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
