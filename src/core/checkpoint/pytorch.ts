// Reads pytorch_model.bin in torch.save's zip format (PyTorch >= 1.6): `<prefix>/data.pkl` pickles the state dict,
// and each tensor storage is a member `<prefix>/data/<key>` of raw little-endian elements. The pickle runs on the
// restricted machine in pickle.ts with the state-dict whitelist of torch-pickle.ts; every size it claims is
// checked against the archive before any memory is set aside for it.
import type { Entry } from 'yauzl';
import { LensError } from '../errors';
import { decodeTensor, SOURCE_DTYPE_BYTES } from './dtype';
import { PickleDict, unpickle } from './pickle';
import type { LoadedTensor } from './safetensors';
import { elementCount, formatShape, type Tensor } from './tensor';
import { stateDictHooks, TensorRef, type StorageRef } from './torch-pickle';
import { ZipArchive } from './zip';

// 0x80 0x02 (pickle protocol 2) then LONG1 of 10 bytes: torch's legacy magic number 0x1950a86a20f9469cfc6c.
const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const CONVERT_HINT =
  'Load it in Python and save it again with the default zip format, `torch.save(torch.load(path), path)`, ' +
  'or as safetensors with `safetensors.torch.save_file(state_dict, "model.safetensors")`.';

export async function readPytorchBin(file: Uint8Array, source: string): Promise<Map<string, LoadedTensor>> {
  checkContainer(file, source);
  const archive = await ZipArchive.open(Buffer.from(file.buffer, file.byteOffset, file.byteLength), source);
  const { prefix, pickle } = findPickle(archive, source);
  const root = unpickle(await archive.read(pickle), `${source} (${pickle.fileName})`, stateDictHooks(source));
  if (!(root instanceof PickleDict)) {
    throw new LensError(
      'BAD_CHECKPOINT',
      `${source}: data.pkl holds no state dict (a dict of tensors).`,
      'Save model.state_dict(), not the model object.',
    );
  }

  const materializer = new Materializer(archive, prefix, source);
  const tensors = new Map<string, LoadedTensor>();
  for (const [name, value] of root.entries) {
    if (typeof name !== 'string') throw new LensError('BAD_CHECKPOINT', `${source}: the state dict has a key that is not a string.`);
    if (!(value instanceof TensorRef)) throw new LensError('BAD_CHECKPOINT', `${source}: state dict entry "${name}" is not a tensor.`);
    tensors.set(name, { tensor: await materializer.tensor(name, value), sourceDtype: value.storage.dtype });
  }
  return tensors;
}

/** Tells the zip format apart from the legacy pickle stream and from files that are not checkpoints at all. */
function checkContainer(file: Uint8Array, source: string): void {
  if (file[0] === 0x50 && file[1] === 0x4b && file[2] === 0x03 && file[3] === 0x04) return;
  if (LEGACY_MAGIC.every((byte, index) => file[index] === byte)) {
    throw new LensError(
      'BAD_CHECKPOINT',
      `${source} uses the legacy (pre-1.6) torch.save format, which cannot be read safely.`,
      CONVERT_HINT,
    );
  }
  if (file[0] === 0x80) {
    throw new LensError('BAD_CHECKPOINT', `${source} is a bare pickle, not a torch.save zip archive.`, CONVERT_HINT);
  }
  throw new LensError('BAD_CHECKPOINT', `${source} is not a PyTorch checkpoint (no zip signature).`);
}

/** torch.save names every member `<archive name>/...`; the pickle is the one `data.pkl` one level down. */
function findPickle(archive: ZipArchive, source: string): { prefix: string; pickle: Entry } {
  const candidates = [...archive.members.values()].filter((entry) => /^([^/]+\/)?data\.pkl$/.test(entry.fileName));
  if (candidates.length !== 1) {
    throw new LensError(
      'BAD_CHECKPOINT',
      candidates.length === 0
        ? `${source}: the zip archive has no data.pkl, so it is not a torch.save checkpoint.`
        : `${source}: the zip archive has ${candidates.length} data.pkl members (${candidates.map((entry) => entry.fileName).join(', ')}).`,
    );
  }
  const pickle = candidates[0]!;
  return { prefix: pickle.fileName.slice(0, -'data.pkl'.length), pickle };
}

/** Turns the pickle's strided views into dense tensors, reading each storage member once. */
class Materializer {
  private readonly storages = new Map<string, { ref: StorageRef; data: Tensor['data'] }>();
  // Tied parameters are separate views of one storage; the same view gives the same tensor object, so tied
  // weights stay shared (and are counted once).
  private readonly views = new Map<string, Tensor>();

  constructor(
    private readonly archive: ZipArchive,
    private readonly prefix: string,
    private readonly source: string,
  ) {}

  async tensor(name: string, ref: TensorRef): Promise<Tensor> {
    const viewKey = `${ref.storage.key}|${ref.offset}|${ref.shape.join(',')}|${ref.stride.join(',')}`;
    const known = this.views.get(viewKey);
    if (known !== undefined) return known;

    const storage = await this.storage(ref.storage);
    const count = elementCount(ref.shape);
    if (count > 0) {
      // The last element the view touches must lie inside the storage.
      const last = ref.shape.reduce((index, dim, axis) => index + (dim - 1) * ref.stride[axis]!, ref.offset);
      if (last >= ref.storage.numel) {
        throw this.bad(
          `tensor "${name}" ${formatShape(ref.shape)} at offset ${ref.offset} with strides ${formatShape(ref.stride)} reaches element ${last} of a storage of ${ref.storage.numel}`,
        );
      }
    }
    const data = isContiguous(ref.shape, ref.stride)
      ? storage.subarray(ref.offset, ref.offset + count)
      : gather(storage, ref.shape, ref.stride, ref.offset);
    const tensor: Tensor =
      data instanceof Float32Array ? { dtype: 'float32', shape: ref.shape, data } : { dtype: 'int64', shape: ref.shape, data };
    this.views.set(viewKey, tensor);
    return tensor;
  }

  private async storage(ref: StorageRef): Promise<Tensor['data']> {
    const known = this.storages.get(ref.key);
    if (known !== undefined) {
      if (known.ref.dtype !== ref.dtype || known.ref.numel !== ref.numel) {
        throw this.bad(`storage ${ref.key} is described twice with different types or sizes`);
      }
      return known.data;
    }
    const memberName = `${this.prefix}data/${ref.key}`;
    const entry = this.archive.members.get(memberName);
    if (entry === undefined) throw this.bad(`storage ${ref.key} has no member ${memberName}`);
    // Checked before reading or allocating: a hostile pickle may claim 2^40 elements.
    const claimedBytes = BigInt(ref.numel) * BigInt(SOURCE_DTYPE_BYTES[ref.dtype]);
    if (claimedBytes > BigInt(entry.uncompressedSize)) {
      throw this.bad(
        `storage ${ref.key} claims ${ref.numel} ${ref.dtype} elements (${claimedBytes} bytes) but member ${memberName} holds ${entry.uncompressedSize} bytes`,
      );
    }
    const bytes = (await this.archive.read(entry)).subarray(0, Number(claimedBytes));
    const data = decodeTensor(bytes, ref.dtype, [ref.numel]).data;
    this.storages.set(ref.key, { ref, data });
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
