// The public entry to the checkpoint layer: a HuggingFace Longformer folder (config.json plus model.safetensors,
// pytorch_model.bin, or either one sharded with an index) becomes a validated config and float32 weights under
// canonical names. Safetensors is preferred when both formats are present: it is the format that cannot run code.
import { open, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LensError, throwIfCancelled } from '../errors';
import { type HeadKind, parseLongformerConfig, type LongformerConfig } from './config';
import { unnamedArchitectureNotes } from './auto-head';
import { isNarrowed } from './dtype';
import { matchWeights, type IgnoredTensor } from './match';
import { readPytorchBin } from './pytorch';
import { readSafetensors, type LoadedTensor } from './safetensors';
import { readShardIndex, type ShardIndex } from './shard-index';
import { elementCount, type StateDict } from './tensor';

export { expectedTensorShapes } from './shapes';

export type WeightFormat = 'safetensors' | 'pytorch';

export interface Checkpoint {
  readonly config: LongformerConfig;
  /** Canonical names (see shapes.ts), float32; tied tensors share one array. */
  readonly weights: StateDict;
  readonly format: WeightFormat;
  /** The stored element type of the weights: 'F32', 'F16', 'BF16', or 'mixed'. */
  readonly sourceDtype: string;
  /** The weight files read, as absolute paths, in reading order. */
  readonly files: string[];
  /** Distinct parameters (tied ones counted once), as HuggingFace's num_parameters() counts them. */
  readonly parameterCount: number;
  /** Tensors in the files that the model does not use, and why (buffers, another head's weights). */
  readonly ignoredTensors: readonly IgnoredTensor[];
  /** What the user should know about how the checkpoint was read (a narrowed dtype, a chosen head). */
  readonly notes: readonly string[];
}

/** The weight layouts we look for, most preferred first. */
const LAYOUTS: ReadonlyArray<{ file: string; format: WeightFormat; sharded: boolean }> = [
  { file: 'model.safetensors', format: 'safetensors', sharded: false },
  { file: 'model.safetensors.index.json', format: 'safetensors', sharded: true },
  { file: 'pytorch_model.bin', format: 'pytorch', sharded: false },
  { file: 'pytorch_model.bin.index.json', format: 'pytorch', sharded: true },
];

export interface LoadOptions {
  readonly signal?: AbortSignal;
  /** The head the caller's task needs, used when config.json names no architectures (config.ts AUTO_CLASSES). */
  readonly head?: HeadKind;
}

export async function loadCheckpoint(dir: string, options: LoadOptions = {}): Promise<Checkpoint> {
  const { signal } = options;
  const config = await readCheckpointConfig(dir, options.head);
  throwIfCancelled(signal);

  const { layout, index, files } = await locateWeights(dir);

  const stored = new Map<string, LoadedTensor>();
  let legacyFiles = 0;
  for (const file of files) {
    throwIfCancelled(signal);
    const { tensors, legacy } = await readWeightFile(file, layout.format);
    if (legacy) legacyFiles += 1;
    for (const [name, tensor] of tensors) {
      if (stored.has(name)) {
        throw new LensError('BAD_CHECKPOINT', `${file}: tensor "${name}" also appears in an earlier shard.`);
      }
      stored.set(name, tensor);
    }
  }
  if (index !== undefined) {
    checkShardsHoldIndex(index.weightMap, stored, join(dir, layout.file));
  }
  throwIfCancelled(signal);

  const source = join(dir, layout.file);
  const { weights, sourceDtypes, ignored } = matchWeights(stored, config, source);
  const notes: string[] = config.autoClass === undefined ? [] : unnamedArchitectureNotes(config, ignored);
  if (legacyFiles > 0) {
    notes.push("the weights are in torch.save's legacy (pre-1.6) format, read by the restricted unpickler without running anything");
  }
  if ([...sourceDtypes].some(isNarrowed)) notes.push('float64 weights were narrowed to float32 (the precision the graph computes in)');
  return {
    config,
    weights,
    format: layout.format,
    sourceDtype: sourceDtypes.size === 1 ? [...sourceDtypes][0]! : 'mixed',
    files,
    parameterCount: countParameters(weights),
    ignoredTensors: ignored,
    notes,
  };
}

/**
 * The folder's config.json, parsed and validated (cheap: no weights are read). `head`: the head the caller's task
 * needs, used when config.json names no architectures.
 */
export async function readCheckpointConfig(dir: string, head?: HeadKind): Promise<LongformerConfig> {
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new LensError(
      'BAD_CONFIG',
      `${path}: cannot read config.json (${describeIoError(error)}).`,
      'A checkpoint folder holds config.json next to its weights.',
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LensError('BAD_CONFIG', `${path}: not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  return parseLongformerConfig(json, path, head);
}

/** The weight files loadCheckpoint would read, in reading order, without reading them. */
export async function findWeightFiles(dir: string): Promise<{ format: WeightFormat; files: string[] }> {
  const { layout, files } = await locateWeights(dir);
  return { format: layout.format, files };
}

async function locateWeights(dir: string): Promise<{ layout: (typeof LAYOUTS)[number]; index: ShardIndex | undefined; files: string[] }> {
  const layout = await findLayout(dir);
  const index = layout.sharded ? await readShardIndex(join(dir, layout.file)) : undefined;
  const files = index === undefined ? [join(dir, layout.file)] : index.shards.map((shard) => join(dir, shard));
  return { layout, index, files };
}

async function findLayout(dir: string): Promise<(typeof LAYOUTS)[number]> {
  for (const layout of LAYOUTS) {
    if (await isFile(join(dir, layout.file))) return layout;
  }
  throw new LensError(
    'NOT_FOUND',
    `${dir} holds no weights: looked for ${LAYOUTS.map((layout) => layout.file).join(', ')}.`,
    "Download the checkpoint's weight files into the folder next to config.json.",
  );
}

/** The tensors of one weight file, and whether it was a legacy torch.save file (a pickle stream, not a zip). */
async function readWeightFile(path: string, format: WeightFormat): Promise<{ tensors: Map<string, LoadedTensor>; legacy: boolean }> {
  let bytes: Uint8Array;
  try {
    bytes = format === 'safetensors' ? await readFile(path) : await readWithSpareBytes(path, SPARE_BYTES);
  } catch (error) {
    // Node reads at most 2 GiB into one buffer; bigger single files need the checkpoint's sharded form.
    const tooLarge = describeIoError(error) === 'ERR_FS_FILE_TOO_LARGE';
    throw new LensError(
      tooLarge ? 'BAD_CHECKPOINT' : 'NOT_FOUND',
      `${path}: cannot read the weights (${tooLarge ? 'larger than 2 GiB' : describeIoError(error)}).`,
      tooLarge ? 'Use the sharded form of the checkpoint (an index .json with shard files).' : undefined,
      { cause: error },
    );
  }
  if (format === 'safetensors') return { tensors: readSafetensors(bytes, path), legacy: false };
  // The zip format starts with "PK"; readPytorchBin accepts a pickle stream only as the legacy format.
  const legacy = bytes[0] === 0x80;
  return { tensors: await readPytorchBin(bytes, path, { spareBytesAfter: SPARE_BYTES }), legacy };
}

// The legacy torch.save reader may move the storages up by up to 7 bytes to align them (torch-legacy.ts).
const SPARE_BYTES = 8;
const MAX_FILE_BYTES = 2 ** 31 - 1;

/** The file's bytes in a buffer of its own with `spare` writable bytes after them (never Node's shared pool). */
async function readWithSpareBytes(path: string, spare: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    if (size > MAX_FILE_BYTES) throw Object.assign(new Error('file too large'), { code: 'ERR_FS_FILE_TOO_LARGE' });
    const buffer = Buffer.allocUnsafeSlow(size + spare);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(buffer, filled, Math.min(size - filled, 1 << 28), filled);
      if (bytesRead === 0) throw Object.assign(new Error(`the file shrank while being read (${filled} of ${size} bytes)`), { code: 'EIO' });
      filled += bytesRead;
    }
    return buffer.subarray(0, size);
  } finally {
    await handle.close();
  }
}

function checkShardsHoldIndex(weightMap: ReadonlyMap<string, string>, stored: ReadonlyMap<string, LoadedTensor>, indexPath: string): void {
  const absent = [...weightMap.keys()].filter((name) => !stored.has(name));
  if (absent.length > 0) {
    const first = absent[0]!;
    throw new LensError(
      'BAD_CHECKPOINT',
      `${indexPath} lists ${absent.length} tensor(s) that their shards do not hold, e.g. "${first}" in ${basename(weightMap.get(first)!)}.`,
    );
  }
}

function countParameters(weights: StateDict): number {
  const distinct = new Set([...weights.values()].map((tensor) => tensor.data));
  let count = 0;
  for (const tensor of weights.values()) {
    if (distinct.delete(tensor.data)) count += elementCount(tensor.shape);
  }
  return count;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function describeIoError(error: unknown): string {
  return error instanceof Error && 'code' in error ? String(error.code) : String(error);
}
