// Writers for the weight files tests need: raw safetensors bytes (header given as is, so tests can make it wrong)
// torch.save-shaped zip archives around a pickle, and legacy torch.save files.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { legacyTorchFile, type LegacyStorage, type LegacyTensor } from './legacy-writer';
import { torchStateDict } from './pickle-writer';
import { writeZip, type ZipMember } from './zip-writer';

/** 8-byte little-endian header length, the JSON header, the data; `headerLength` overrides the stated length. */
export function safetensorsBytes(header: unknown, data: Uint8Array, headerLength?: bigint): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(headerLength ?? BigInt(json.length));
  return Buffer.concat([length, json, data]);
}

export function floatBytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

/** A torch.save-style archive: `archive/data.pkl`, `archive/data/<key>` storages (64-byte aligned), `archive/version`. */
export function torchZip(pickle: Uint8Array, storages: ReadonlyMap<string, Uint8Array>, extra: readonly ZipMember[] = []): Buffer {
  return writeZip([
    { name: 'archive/data.pkl', data: pickle },
    ...[...storages].map(([key, data]) => ({ name: `archive/data/${key}`, data, align: 64 })),
    { name: 'archive/version', data: Buffer.from('3\n') },
    ...extra,
  ]);
}

export const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures', 'longformer-ref');
export const FIXTURE_CASES = ['base-tiny', 'cls-tiny', 'qa-tiny'] as const;

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'lens-checkpoint-'));
}

/** Copies a fixture folder, keeping only one weight format so that the loader must read that one. */
export async function copyFixture(name: string, keep: 'safetensors' | 'pytorch' | 'both', into: string): Promise<string> {
  const folder = join(into, `${name}-${keep}`);
  await cp(join(FIXTURES, name), folder, { recursive: true });
  const drop = keep === 'safetensors' ? 'pytorch_model.bin' : keep === 'pytorch' ? 'model.safetensors' : undefined;
  if (drop !== undefined) await rm(join(folder, drop));
  if (!(await readdir(folder)).includes('config.json')) throw new Error(`fixture ${name} lacks config.json`);
  return folder;
}

export interface RawTensor {
  readonly dtype: string; // safetensors spelling: F32, F16, BF16, I64, ...
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

/** A well-formed safetensors file for the given tensors, in name order like the reference writer. */
export function encodeSafetensors(tensors: ReadonlyMap<string, RawTensor>): Buffer {
  // No prototype, so that a tensor named `__proto__` becomes a key of the header instead of its prototype.
  const header = Object.assign(Object.create(null) as Record<string, unknown>, { __metadata__: { format: 'pt' } });
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of [...tensors.keys()].sort()) {
    const tensor = tensors.get(name)!;
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + tensor.bytes.byteLength] };
    chunks.push(tensor.bytes);
    offset += tensor.bytes.byteLength;
  }
  return safetensorsBytes(header, Buffer.concat(chunks));
}

/** A torch.save-style archive holding the given float32 tensors, one storage each. */
export function encodeTorchZip(tensors: ReadonlyMap<string, RawTensor>): Buffer {
  const storages = new Map<string, Uint8Array>();
  const entries = [...tensors].map(([name, tensor], index) => {
    const storageType = { F32: 'FloatStorage', F16: 'HalfStorage', BF16: 'BFloat16Storage', I64: 'LongStorage' }[tensor.dtype];
    if (storageType === undefined) throw new Error(`no storage type for ${tensor.dtype}`);
    storages.set(String(index), tensor.bytes);
    const elementBytes = tensor.dtype === 'F32' ? 4 : tensor.dtype === 'I64' ? 8 : 2;
    return { name, storageType, key: String(index), numel: tensor.bytes.byteLength / elementBytes, shape: tensor.shape };
  });
  return torchZip(torchStateDict(entries), storages);
}

/**
 * The given float32 tensors as a legacy torch.save file laid out the way real files share memory: most tensors are
 * views at increasing offsets into one shared storage, every `query.weight` is the transpose of a storage that
 * holds it column by column (strides [1, rows]), LayerNorm parameters are reached through view_metadata into a
 * second shared storage, and `embeddings.position_ids` is added as an int64 buffer the way HuggingFace saves it.
 */
export function encodeLegacyShared(tensors: ReadonlyMap<string, RawTensor>, maxPositions: number): Buffer {
  const shared: number[] = [];
  const norms: number[] = [];
  const placed: Array<{
    name: string;
    shape: readonly number[];
    pool: 'shared' | 'norms' | 'transposed';
    offset: number;
    values: Float32Array;
  }> = [];
  for (const [name, tensor] of tensors) {
    if (tensor.dtype !== 'F32') throw new Error(`encodeLegacyShared takes float32 tensors, ${name} is ${tensor.dtype}`);
    const values = new Float32Array(tensor.bytes.buffer.slice(tensor.bytes.byteOffset, tensor.bytes.byteOffset + tensor.bytes.byteLength));
    if (name.endsWith('query.weight') && tensor.shape.length === 2) {
      placed.push({ name, shape: tensor.shape, pool: 'transposed', offset: 0, values });
    } else {
      const pool = name.includes('LayerNorm') ? norms : shared;
      placed.push({ name, shape: tensor.shape, pool: pool === norms ? 'norms' : 'shared', offset: pool.length, values });
      pool.push(...values);
    }
  }
  const sharedStorage: LegacyStorage = { key: '140241842', storageType: 'FloatStorage', numel: shared.length, bytes: floatBytes(shared) };
  const normStorage: LegacyStorage = { key: '140241877', storageType: 'FloatStorage', numel: norms.length, bytes: floatBytes(norms) };
  const entries: LegacyTensor[] = placed.map((tensor, index) => {
    if (tensor.pool === 'transposed') {
      const [rows, columns] = tensor.shape as [number, number];
      const columnMajor = new Float32Array(rows * columns);
      for (let i = 0; i < rows; i += 1) for (let j = 0; j < columns; j += 1) columnMajor[j * rows + i] = tensor.values[i * columns + j]!;
      const storage = {
        key: `1402419${String(index).padStart(2, '0')}`,
        storageType: 'FloatStorage',
        numel: columnMajor.length,
        bytes: new Uint8Array(columnMajor.buffer),
      };
      return { name: tensor.name, storage, shape: tensor.shape, stride: [1, rows], parameter: true };
    }
    if (tensor.pool === 'norms') {
      // The view starts one element early, so the tensor's own offset inside the view is 1.
      const start = Math.max(0, tensor.offset - 1);
      const view = { key: `view-${index}`, offset: start, numel: tensor.offset - start + tensor.values.length };
      return { name: tensor.name, storage: normStorage, view, offset: tensor.offset - start, shape: tensor.shape };
    }
    return { name: tensor.name, storage: sharedStorage, offset: tensor.offset, shape: tensor.shape, parameter: index % 2 === 0 };
  });
  const positions = BigInt64Array.from({ length: maxPositions }, (_, index) => BigInt(index));
  const prefix = [...tensors.keys()].some((name) => name.startsWith('longformer.')) ? 'longformer.' : '';
  entries.push({
    name: `${prefix}embeddings.position_ids`,
    storage: { key: '140241801', storageType: 'LongStorage', numel: maxPositions, bytes: new Uint8Array(positions.buffer) },
    shape: [1, maxPositions],
  });
  return legacyTorchFile(entries);
}
