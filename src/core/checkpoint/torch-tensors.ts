// Turns the strided views that a torch.save pickle describes into dense engine tensors, for both container formats
// (zip members, legacy storages after the pickles). Each storage is decoded once; a view that is contiguous is a
// subarray of it (so float32 weights stay views over the file), others are gathered into a new array.
import { LensError } from '../errors';
import { decodeTensor, SOURCE_DTYPE_BYTES, type SourceDType } from './dtype';
import type { LoadedTensor } from './safetensors';
import { elementCount, formatShape, type Tensor } from './tensor';
import type { StorageRef, TensorRef } from './torch-pickle';

/** The bytes of a whole storage, exactly `storageBytes(ref)` long, checked against the file by the container. */
export type StorageReader = (storage: StorageRef) => Promise<Uint8Array> | Uint8Array;

/** How many bytes a storage holds (untyped storages count bytes). */
export function storageBytes(storage: StorageRef): bigint {
  return BigInt(storage.numel) * BigInt(storage.dtype === 'untyped' ? 1 : SOURCE_DTYPE_BYTES[storage.dtype]);
}

export class TensorMaterializer {
  private readonly storages = new Map<string, StorageRef>();
  private readonly decoded = new Map<string, Tensor['data']>();
  // Tied parameters are separate views of one storage; the same view gives the same tensor object, so tied
  // weights stay shared (and are counted once).
  private readonly views = new Map<string, Tensor>();

  constructor(
    private readonly read: StorageReader,
    private readonly source: string,
  ) {}

  async tensor(name: string, ref: TensorRef): Promise<LoadedTensor> {
    const { storage, dtype } = ref;
    this.checkConsistent(storage);
    const elementBytes = SOURCE_DTYPE_BYTES[dtype];
    const rootElements = storage.dtype === 'untyped' ? Math.floor(storage.numel / elementBytes) : storage.numel;
    const base = storage.view?.offset ?? 0;
    const available = storage.view?.numel ?? rootElements;
    const count = elementCount(ref.shape);
    if (count > 0) {
      // The last element the view touches must lie inside the storage (or the storage view it is given).
      const last = ref.shape.reduce((index, dim, axis) => index + (dim - 1) * ref.stride[axis]!, ref.offset);
      if (last >= available) {
        throw this.bad(
          `tensor "${name}" ${formatShape(ref.shape)} at offset ${ref.offset} with strides ${formatShape(ref.stride)} reaches element ${last} of a storage of ${available}`,
        );
      }
    }

    const viewKey = `${storage.key}|${dtype}|${base + ref.offset}|${ref.shape.join(',')}|${ref.stride.join(',')}`;
    const known = this.views.get(viewKey);
    if (known !== undefined) return { tensor: known, sourceDtype: dtype };

    const data = await this.decode(storage, dtype, rootElements);
    const start = base + ref.offset;
    const values = isContiguous(ref.shape, ref.stride) ? data.subarray(start, start + count) : gather(data, ref.shape, ref.stride, start);
    const tensor: Tensor =
      values instanceof Float32Array
        ? { dtype: 'float32', shape: ref.shape, data: values }
        : { dtype: 'int64', shape: ref.shape, data: values };
    this.views.set(viewKey, tensor);
    return { tensor, sourceDtype: dtype };
  }

  private checkConsistent(storage: StorageRef): void {
    const known = this.storages.get(storage.key);
    if (known === undefined) {
      this.storages.set(storage.key, storage);
    } else if (known.dtype !== storage.dtype || known.numel !== storage.numel) {
      throw this.bad(`storage ${storage.key} is described twice with different types or sizes`);
    }
  }

  private async decode(storage: StorageRef, dtype: SourceDType, elements: number): Promise<Tensor['data']> {
    const key = `${storage.key}|${dtype}`;
    const known = this.decoded.get(key);
    if (known !== undefined) return known;
    const bytes = await this.read(storage);
    const data = decodeTensor(bytes.subarray(0, elements * SOURCE_DTYPE_BYTES[dtype]), dtype, [elements]).data;
    this.decoded.set(key, data);
    return data;
  }

  private bad(what: string): LensError {
    return new LensError('BAD_CHECKPOINT', `${this.source}: ${what}.`);
  }
}

/** Row-major with no gaps; axes of length 1 may carry any stride (PyTorch leaves them arbitrary). */
function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let axis = shape.length - 1; axis >= 0; axis -= 1) {
    if (shape[axis] !== 1 && stride[axis] !== expected) return false;
    expected *= shape[axis]!;
  }
  return true;
}

/** Copies a strided view (a transposed or sliced tensor) into a dense row-major array. */
function gather<T extends Tensor['data']>(storage: T, shape: readonly number[], stride: readonly number[], offset: number): T {
  const count = elementCount(shape);
  const out = (storage instanceof Float32Array ? new Float32Array(count) : new BigInt64Array(count)) as T;
  if (count === 0) return out;
  const index = new Array<number>(shape.length).fill(0);
  let source = offset;
  for (let i = 0; i < count; i += 1) {
    out[i] = storage[source]!;
    // Advance the multi-index like an odometer, last axis fastest, keeping the storage position in step.
    for (let axis = shape.length - 1; axis >= 0; axis -= 1) {
      index[axis]! += 1;
      source += stride[axis]!;
      if (index[axis]! < shape[axis]!) break;
      source -= stride[axis]! * shape[axis]!;
      index[axis] = 0;
    }
  }
  return out;
}
