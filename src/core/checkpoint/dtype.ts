// Element types of stored weights and their conversion to the engine's float32. Checkpoints are float32, float16 or
// bfloat16 (rarely float64); the graph computes in float32, so half types are widened and float64 narrowed once at
// load time. Integer and bool buffers (position ids, masks) become int64.
import type { Tensor } from './tensor';

/** Storage element types we read, in safetensors' spelling (PyTorch storages map onto these). */
export type SourceDType = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'BOOL';

export const SOURCE_DTYPE_BYTES: Readonly<Record<SourceDType, number>> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, BOOL: 1 };

export function isSourceDType(name: string): name is SourceDType {
  return Object.hasOwn(SOURCE_DTYPE_BYTES, name);
}

/** Stored types that the engine reads only approximately: float64 is narrowed to float32. */
export function isNarrowed(dtype: SourceDType): boolean {
  return dtype === 'F64';
}

// Float16 → float32 through a table of all 65,536 values: built once (256 KB), then one lookup per element, which
// is faster than bit arithmetic per element for the tens of millions of weights in a real checkpoint.
let halfTable: Float32Array | undefined;

function halfToFloatTable(): Float32Array {
  if (halfTable !== undefined) return halfTable;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits += 1) table[bits] = decodeHalf(bits);
  halfTable = table;
  return table;
}

/** IEEE 754 binary16 → number: sign, 5-bit exponent (bias 15), 10-bit fraction; subnormals, infinities, NaN. */
export function decodeHalf(bits: number): number {
  const sign = (bits & 0x8000) !== 0 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Widens little-endian float16 values (given as raw uint16 words) to float32. */
export function halfToFloat32(words: Uint16Array): Float32Array {
  const table = halfToFloatTable();
  const out = new Float32Array(words.length);
  for (let i = 0; i < words.length; i += 1) out[i] = table[words[i]!]!;
  return out;
}

/** bfloat16 is the top half of a float32, so widening is a 16-bit shift into the float32's bits (exact). */
export function bfloat16ToFloat32(words: Uint16Array): Float32Array {
  const out = new Uint32Array(words.length);
  for (let i = 0; i < words.length; i += 1) out[i] = words[i]! << 16;
  return new Float32Array(out.buffer);
}

/**
 * Turns the raw little-endian bytes of one tensor (exactly `count` elements of `dtype`) into an engine tensor.
 * F32 and I64 become views over the same bytes when they are aligned, so the weights are not copied; at an odd
 * offset they are copied once. All platforms onnxruntime-node supports are little-endian, like the files, so no
 * byte swapping is needed.
 */
export function decodeTensor(bytes: Uint8Array, dtype: SourceDType, shape: readonly number[]): Tensor {
  const elementBytes = SOURCE_DTYPE_BYTES[dtype];
  const count = bytes.byteLength / elementBytes;
  // `new Uint8Array(bytes)` copies into a fresh buffer at offset 0 (Buffer#slice would only make another view).
  const aligned = bytes.byteOffset % elementBytes === 0 ? bytes : new Uint8Array(bytes);
  switch (dtype) {
    case 'F32':
      return { dtype: 'float32', shape, data: new Float32Array(aligned.buffer, aligned.byteOffset, count) };
    case 'I64':
      return { dtype: 'int64', shape, data: new BigInt64Array(aligned.buffer, aligned.byteOffset, count) };
    case 'F16':
      return { dtype: 'float32', shape, data: halfToFloat32(new Uint16Array(aligned.buffer, aligned.byteOffset, count)) };
    case 'BF16':
      return { dtype: 'float32', shape, data: bfloat16ToFloat32(new Uint16Array(aligned.buffer, aligned.byteOffset, count)) };
    case 'F64':
      return { dtype: 'float32', shape, data: Float32Array.from(new Float64Array(aligned.buffer, aligned.byteOffset, count)) };
    case 'I32':
      return { dtype: 'int64', shape, data: widenToInt64(new Int32Array(aligned.buffer, aligned.byteOffset, count)) };
    case 'BOOL':
      return { dtype: 'int64', shape, data: widenToInt64(aligned) };
  }
}

function widenToInt64(values: Int32Array | Uint8Array): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i += 1) out[i] = BigInt(values[i]!);
  return out;
}
