// Reads pytorch_model.bin in torch.save's legacy format (PyTorch < 1.6, and `_use_new_zipfile_serialization=False`):
// five things in a row, then raw storages.
//   1. a pickle of the magic number 0x1950a86a20f9469cfc6c;  2. a pickle of the protocol version, 1001;
//   3. a pickle of sys_info (byte order, type sizes);  4. the pickled state dict, whose tensors name storages by
//   persistent ids;  5. a pickle of the list of storage keys.
// Then, for each key in that list's order, an 8-byte little-endian element count and that many elements.
// All five pickles run on the same restricted machine as the zip format's data.pkl (pickle.ts); the first, second,
// third and fifth may hold plain data only. Every count and offset is checked against the file before anything is
// read or allocated. Reference: torch/serialization.py (_legacy_save, _legacy_load).
import { LensError } from '../errors';
import { SOURCE_DTYPE_BYTES } from './dtype';
import { PickleDict, unpickleAt, type PickleValue } from './pickle';
import type { LoadedTensor } from './safetensors';
import { plainDataHooks, stateDictHooks, TensorRef, type StorageRef } from './torch-pickle';
import { storageBytes, TensorMaterializer } from './torch-tensors';

export const LEGACY_MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
export const LEGACY_PROTOCOL_VERSION = 1001;

export interface LegacyReadOptions {
  /**
   * Bytes after `file` in its ArrayBuffer that belong to the reader and may be overwritten. With 7 or more, the
   * storages are moved up in place so that float32 and int64 data is aligned and can be viewed instead of copied.
   */
  readonly spareBytesAfter?: number;
}

/** True when `value` (the first pickle of a file) is torch's legacy magic number. */
export function isLegacyMagic(value: PickleValue): boolean {
  return value === LEGACY_MAGIC_NUMBER;
}

export async function readLegacyTorch(
  file: Uint8Array,
  source: string,
  options: LegacyReadOptions = {},
): Promise<Map<string, LoadedTensor>> {
  const plain = plainDataHooks(source);
  const magic = unpickleAt(file, 0, source, plain);
  if (!isLegacyMagic(magic.value)) throw bad(source, 'it does not start with the magic number of torch.save');
  const version = unpickleAt(file, magic.end, source, plain);
  if (version.value !== LEGACY_PROTOCOL_VERSION) {
    throw bad(source, `its protocol version is ${describe(version.value)}, where torch.save writes ${LEGACY_PROTOCOL_VERSION}`);
  }
  const sysInfo = unpickleAt(file, version.end, source, plain);
  checkByteOrder(sysInfo.value, source);

  const root = unpickleAt(file, sysInfo.end, source, stateDictHooks(source));
  const entries = stateDictEntries(root.value, source);
  const storages = storagesOf(entries, source);
  const keyList = unpickleAt(file, root.end, source, plain);
  const keys = storageKeys(keyList.value, storages, source);
  const regions = locateStorages(file, keyList.end, keys, storages, source);
  const shift = alignStorages(file, regions, keyList.end, options.spareBytesAfter ?? 0);

  const materializer = new TensorMaterializer((storage) => {
    const region = regions.get(storage.key)!;
    return new Uint8Array(file.buffer, file.byteOffset + region.start + shift, region.bytes);
  }, source);
  const tensors = new Map<string, LoadedTensor>();
  for (const [name, ref] of entries) tensors.set(name, await materializer.tensor(name, ref));
  return tensors;
}

/** sys_info is {protocol_version, little_endian, type_sizes}; storages are in the writer's byte order. */
function checkByteOrder(sysInfo: PickleValue, source: string): void {
  if (!(sysInfo instanceof PickleDict)) throw bad(source, 'its third pickle is not the sys_info dict');
  if (sysInfo.entries.get('little_endian') === false) {
    throw new LensError(
      'BAD_CHECKPOINT',
      `${source} was saved on a big-endian machine; only little-endian checkpoints can be read.`,
      'Load it with PyTorch on any machine and save it again, or as safetensors.',
    );
  }
}

function stateDictEntries(root: PickleValue, source: string): Map<string, TensorRef> {
  if (!(root instanceof PickleDict)) {
    throw new LensError(
      'BAD_CHECKPOINT',
      `${source}: the file holds no state dict (a dict of tensors).`,
      'Save model.state_dict(), not the model object.',
    );
  }
  const entries = new Map<string, TensorRef>();
  for (const [name, value] of root.entries) {
    if (typeof name !== 'string') throw new LensError('BAD_CHECKPOINT', `${source}: the state dict has a key that is not a string.`);
    if (!(value instanceof TensorRef)) throw new LensError('BAD_CHECKPOINT', `${source}: state dict entry "${name}" is not a tensor.`);
    entries.set(name, value);
  }
  return entries;
}

/** The storages the tensors use, one per key; a key described twice differently is refused. */
function storagesOf(entries: ReadonlyMap<string, TensorRef>, source: string): Map<string, StorageRef> {
  const storages = new Map<string, StorageRef>();
  for (const { storage } of entries.values()) {
    const known = storages.get(storage.key);
    if (known !== undefined && (known.dtype !== storage.dtype || known.numel !== storage.numel)) {
      throw bad(source, `storage ${storage.key} is described twice with different types or sizes`);
    }
    storages.set(storage.key, storage);
  }
  return storages;
}

/** The key list must name each storage the tensors use exactly once, and nothing else. */
function storageKeys(list: PickleValue, storages: ReadonlyMap<string, StorageRef>, source: string): string[] {
  if (!Array.isArray(list) || !list.every((key) => typeof key === 'string')) {
    throw bad(source, 'its last pickle is not the list of storage keys');
  }
  const keys = list as string[];
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) throw bad(source, `storage ${key} is listed twice`);
    if (!storages.has(key)) throw bad(source, `storage ${key} is listed but no tensor uses it`);
    seen.add(key);
  }
  const unlisted = [...storages.keys()].find((key) => !seen.has(key));
  if (unlisted !== undefined) throw bad(source, `storage ${unlisted} is used by a tensor but is not in the file's storage list`);
  return keys;
}

interface Region {
  readonly start: number;
  readonly bytes: number;
  /** The alignment a view over the file needs: 4 for float32, 8 for int64, 0 for types that are converted. */
  readonly viewAlignment: number;
}

/** Walks the count-prefixed storages after the pickles, checking each count against the pickle and the file. */
function locateStorages(
  file: Uint8Array,
  dataStart: number,
  keys: readonly string[],
  storages: ReadonlyMap<string, StorageRef>,
  source: string,
): Map<string, Region> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const regions = new Map<string, Region>();
  let position = dataStart;
  for (const key of keys) {
    const storage = storages.get(key)!;
    if (position + 8 > file.byteLength)
      throw bad(source, `the file ends at byte ${file.byteLength}, before the element count of storage ${key}`);
    const count = view.getBigUint64(position, true);
    if (count !== BigInt(storage.numel)) {
      throw bad(source, `storage ${key} holds ${count} elements at byte ${position}, but the state dict says ${storage.numel}`);
    }
    const bytes = storageBytes(storage);
    const start = position + 8;
    if (BigInt(start) + bytes > BigInt(file.byteLength)) {
      throw bad(source, `storage ${key} needs ${bytes} bytes from byte ${start}, past the end of the file at ${file.byteLength}`);
    }
    const viewAlignment = storage.dtype === 'F32' || storage.dtype === 'I64' ? SOURCE_DTYPE_BYTES[storage.dtype] : 0;
    regions.set(key, { start, bytes: Number(bytes), viewAlignment });
    position = start + Number(bytes);
  }
  return regions;
}

/**
 * The pickles before the storages have any length, so storages rarely start at a multiple of their element size,
 * and an unaligned float32 storage could only be copied (twice the memory of the file). When the caller gave spare
 * bytes after the file, the whole storage section moves up by the shift (0..7 bytes) that aligns the most
 * float32/int64 bytes, once, in place. Returns the shift applied.
 */
function alignStorages(file: Uint8Array, regions: ReadonlyMap<string, Region>, dataStart: number, spareBytes: number): number {
  if (spareBytes < 7) return 0;
  const alignedBytes = new Array<number>(8).fill(0);
  for (const region of regions.values()) {
    if (region.viewAlignment === 0) continue;
    for (let shift = 0; shift < 8; shift += 1) {
      if ((file.byteOffset + region.start + shift) % region.viewAlignment === 0) alignedBytes[shift]! += region.bytes;
    }
  }
  const best = alignedBytes.indexOf(Math.max(...alignedBytes));
  if (best > 0 && alignedBytes[best]! > alignedBytes[0]!) {
    const withSpare = new Uint8Array(file.buffer, file.byteOffset, file.byteLength + best);
    withSpare.copyWithin(dataStart + best, dataStart, file.byteLength);
    return best;
  }
  return 0;
}

function describe(value: PickleValue): string {
  return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string' ? String(value) : 'not a number';
}

function bad(source: string, what: string): LensError {
  return new LensError('BAD_CHECKPOINT', `${source} is not a readable legacy torch.save file: ${what}.`);
}
