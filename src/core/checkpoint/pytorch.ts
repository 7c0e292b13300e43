// Reads pytorch_model.bin. In torch.save's zip format (PyTorch >= 1.6), `<prefix>/data.pkl` pickles the state
// dict, and each tensor storage is a member `<prefix>/data/<key>` of raw little-endian elements; the legacy format
// is read by torch-legacy.ts. The pickle runs on the restricted machine in pickle.ts with the state-dict whitelist
// of torch-pickle.ts; every size it claims is checked against the file before any memory is set aside for it.
import type { Entry } from 'yauzl';
import { isLensError, LensError } from '../errors';
import { PickleDict, unpickle, unpickleAt } from './pickle';
import type { LoadedTensor } from './safetensors';
import { isLegacyMagic, readLegacyTorch, type LegacyReadOptions } from './torch-legacy';
import { plainDataHooks, stateDictHooks, TensorRef, type StorageRef } from './torch-pickle';
import { storageBytes, TensorMaterializer } from './torch-tensors';
import { ZipArchive } from './zip';

const CONVERT_HINT =
  'Load it in Python and save it again, `torch.save(torch.load(path), path)`, ' +
  'or as safetensors with `safetensors.torch.save_file(state_dict, "model.safetensors")`.';

export type PytorchReadOptions = LegacyReadOptions;

/** Reads either torch.save format: the zip archive (PyTorch >= 1.6) or the legacy pickle stream (torch-legacy.ts). */
export async function readPytorchBin(
  file: Uint8Array,
  source: string,
  options: PytorchReadOptions = {},
): Promise<Map<string, LoadedTensor>> {
  if (isZip(file)) return readTorchZip(file, source);
  if (file[0] === 0x80) {
    // A pickle: torch.save's legacy format starts with a pickled magic number; anything else is a bare pickle.
    if (startsWithLegacyMagic(file, source)) return readLegacyTorch(file, source, options);
    throw new LensError(
      'BAD_CHECKPOINT',
      `${source} is a bare pickle, not a torch.save checkpoint (no magic number, no zip signature).`,
      CONVERT_HINT,
    );
  }
  throw new LensError('BAD_CHECKPOINT', `${source} is not a PyTorch checkpoint (no zip signature).`);
}

async function readTorchZip(file: Uint8Array, source: string): Promise<Map<string, LoadedTensor>> {
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

  const materializer = new TensorMaterializer((storage) => readStorage(archive, prefix, storage, source), source);
  const tensors = new Map<string, LoadedTensor>();
  for (const [name, value] of root.entries) {
    if (typeof name !== 'string') throw new LensError('BAD_CHECKPOINT', `${source}: the state dict has a key that is not a string.`);
    if (!(value instanceof TensorRef)) throw new LensError('BAD_CHECKPOINT', `${source}: state dict entry "${name}" is not a tensor.`);
    tensors.set(name, await materializer.tensor(name, value));
  }
  return tensors;
}

function startsWithLegacyMagic(file: Uint8Array, source: string): boolean {
  try {
    return isLegacyMagic(unpickleAt(file, 0, source, plainDataHooks(source)).value);
  } catch (error) {
    if (isLensError(error)) return false; // a pickle of something else, or no pickle at all
    throw error;
  }
}

function isZip(file: Uint8Array): boolean {
  return file[0] === 0x50 && file[1] === 0x4b && file[2] === 0x03 && file[3] === 0x04;
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

/** A storage is the member `<prefix>data/<key>`; its claimed size is checked before reading or allocating. */
async function readStorage(archive: ZipArchive, prefix: string, storage: StorageRef, source: string): Promise<Uint8Array> {
  const memberName = `${prefix}data/${storage.key}`;
  const entry = archive.members.get(memberName);
  if (entry === undefined) throw new LensError('BAD_CHECKPOINT', `${source}: storage ${storage.key} has no member ${memberName}.`);
  // A hostile pickle may claim 2^40 elements.
  const claimedBytes = storageBytes(storage);
  if (claimedBytes > BigInt(entry.uncompressedSize)) {
    throw new LensError(
      'BAD_CHECKPOINT',
      `${source}: storage ${storage.key} claims ${storage.numel} ${storage.dtype} elements (${claimedBytes} bytes) but member ${memberName} holds ${entry.uncompressedSize} bytes.`,
    );
  }
  return (await archive.read(entry)).subarray(0, Number(claimedBytes));
}
