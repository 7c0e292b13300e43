// Constant tensors for graphs (initializers and attribute tensors). The byte size is checked here, when the tensor
// is made, so a wrong shape fails at its source instead of inside onnxruntime.
import { OnnxDataType, type OnnxDataTypeCode } from './onnx-schema';

/** float16 is stored as its IEEE 754 bit patterns (Node 20 has no Float16Array); see float16.ts. */
export type GraphDType = 'float32' | 'float16' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

export type GraphTensorData = Float32Array | Uint16Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

export interface GraphTensor {
  readonly dtype: GraphDType;
  readonly dims: readonly number[];
  readonly data: GraphTensorData;
}

export const ONNX_TYPE_OF: Readonly<Record<GraphDType, OnnxDataTypeCode>> = {
  float32: OnnxDataType.FLOAT,
  float16: OnnxDataType.FLOAT16,
  int64: OnnxDataType.INT64,
  int32: OnnxDataType.INT32,
  int8: OnnxDataType.INT8,
  uint8: OnnxDataType.UINT8,
  bool: OnnxDataType.BOOL,
};

const BYTES_PER_ELEMENT: Readonly<Record<GraphDType, number>> = { float32: 4, float16: 2, int64: 8, int32: 4, int8: 1, uint8: 1, bool: 1 };

const ARRAY_KIND: Readonly<Record<GraphDType, string>> = {
  float32: 'Float32Array',
  float16: 'Uint16Array',
  int64: 'BigInt64Array',
  int32: 'Int32Array',
  int8: 'Int8Array',
  uint8: 'Uint8Array',
  bool: 'Uint8Array',
};

/** Makes a tensor after checking that `data` has exactly the element type and byte size that `dims` call for. */
export function makeTensor(dtype: GraphDType, dims: readonly number[], data: GraphTensorData): GraphTensor {
  for (const dim of dims) {
    if (!Number.isInteger(dim) || dim < 0) throw new RangeError(`tensor dims [${dims.join(', ')}] must be non-negative integers`);
  }
  if (data.constructor.name !== ARRAY_KIND[dtype]) {
    throw new TypeError(`a ${dtype} tensor needs a ${ARRAY_KIND[dtype]}, got ${data.constructor.name}`);
  }
  const count = dims.reduce((product, dim) => product * dim, 1);
  const expectedBytes = count * BYTES_PER_ELEMENT[dtype];
  if (data.byteLength !== expectedBytes) {
    throw new RangeError(`tensor of dims [${dims.join(', ')}] (${dtype}) needs ${expectedBytes} bytes, the data has ${data.byteLength}`);
  }
  return { dtype, dims: [...dims], data };
}

export function floatTensor(dims: readonly number[], values: Float32Array | readonly number[]): GraphTensor {
  return makeTensor('float32', dims, values instanceof Float32Array ? values : Float32Array.from(values));
}

export function int64Tensor(dims: readonly number[], values: readonly (number | bigint)[] | BigInt64Array): GraphTensor {
  return makeTensor('int64', dims, values instanceof BigInt64Array ? values : BigInt64Array.from(values, (v) => BigInt(v)));
}

export function boolTensor(dims: readonly number[], values: readonly boolean[]): GraphTensor {
  return makeTensor(
    'bool',
    dims,
    Uint8Array.from(values, (v) => (v ? 1 : 0)),
  );
}

/** The tensor's bytes in ONNX raw_data order (little-endian, row-major). */
export function tensorBytes(tensor: GraphTensor): Uint8Array {
  return new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
}
