// Reads a .safetensors file: an 8-byte little-endian header length, a JSON header mapping tensor names to
// {dtype, shape, data_offsets}, then the raw data. Everything in the header is checked against the file before a
// byte of data is interpreted, because the file may be truncated or hostile.
// Format: https://github.com/huggingface/safetensors#format
import { LensError } from '../errors';
import { decodeTensor, isSourceDType, SOURCE_DTYPE_BYTES, type SourceDType } from './dtype';
import { elementCount, formatShape, type Tensor } from './tensor';

/** One tensor as read from a weight file, with the element type it was stored in. */
export interface LoadedTensor {
  readonly tensor: Tensor;
  readonly sourceDtype: SourceDType;
}

// The reference implementation refuses headers above 100 MB; a real header is a few hundred KB.
const MAX_HEADER_BYTES = 100_000_000;

interface HeaderEntry {
  readonly name: string;
  readonly dtype: SourceDType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/** Parses and validates a whole safetensors file held in memory; `source` names it in errors. */
export function readSafetensors(file: Uint8Array, source: string): Map<string, LoadedTensor> {
  if (file.byteLength < 8) {
    throw bad(source, `the file is ${file.byteLength} bytes, too short for the 8-byte header length`);
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(file.byteLength - 8) || headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw bad(
      source,
      `header length ${headerLength} exceeds the file size of ${file.byteLength} bytes (truncated, or not a safetensors file)`,
    );
  }
  const headerEnd = 8 + Number(headerLength);
  const entries = parseHeader(file.subarray(8, headerEnd), source);
  const data = file.subarray(headerEnd);
  checkLayout(entries, data.byteLength, source);

  const tensors = new Map<string, LoadedTensor>();
  for (const entry of entries) {
    tensors.set(entry.name, {
      tensor: decodeTensor(data.subarray(entry.begin, entry.end), entry.dtype, entry.shape),
      sourceDtype: entry.dtype,
    });
  }
  return tensors;
}

/** The tensor entries of a header; each is validated on its own here, against each other in checkLayout. */
function parseHeader(bytes: Uint8Array, source: string): HeaderEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw bad(source, `the header is not valid UTF-8 JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad(source, 'the header is not a JSON object');

  const entries: HeaderEntry[] = [];
  // JSON.parse makes every key, `__proto__` included, an own data property, so Object.entries sees them all.
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') continue;
    entries.push(parseEntry(name, value, source));
  }
  return entries;
}

function parseEntry(name: string, value: unknown, source: string): HeaderEntry {
  if (typeof value !== 'object' || value === null) throw bad(source, `tensor "${name}" has no {dtype, shape, data_offsets} entry`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string') throw bad(source, `tensor "${name}" has no dtype`);
  if (!isSourceDType(dtype)) {
    throw bad(source, `tensor "${name}" has dtype ${dtype}; only F32, F16, BF16, F64 (weights), I64, I32 and BOOL are supported`);
  }
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    throw bad(source, `tensor "${name}" has shape ${JSON.stringify(shape)}; a shape is a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    throw bad(source, `tensor "${name}" has data_offsets ${JSON.stringify(offsets)}; expected [begin, end]`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw bad(source, `tensor "${name}" has data_offsets [${begin}, ${end}] that end before they begin`);
  const expectedBytes = elementCount(shape) * SOURCE_DTYPE_BYTES[dtype];
  if (end - begin !== expectedBytes) {
    throw bad(
      source,
      `tensor "${name}" spans ${end - begin} bytes but dtype ${dtype} and shape ${formatShape(shape)} need ${expectedBytes}`,
    );
  }
  return { name, dtype, shape, begin, end };
}

/** Every tensor must lie inside the data buffer and no two may share bytes. */
function checkLayout(entries: HeaderEntry[], dataBytes: number, source: string): void {
  const byBegin = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let previous: HeaderEntry | undefined;
  for (const entry of byBegin) {
    if (entry.end > dataBytes) {
      throw bad(
        source,
        `tensor "${entry.name}" has data_offsets [${entry.begin}, ${entry.end}] beyond the ${dataBytes} bytes of data (truncated file?)`,
      );
    }
    if (previous !== undefined && entry.begin < previous.end && entry.end > entry.begin) {
      throw bad(source, `tensors "${previous.name}" and "${entry.name}" overlap in the data buffer`);
    }
    if (entry.end > entry.begin) previous = entry;
  }
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function bad(source: string, what: string): LensError {
  return new LensError('BAD_CHECKPOINT', `${source} is not a valid safetensors file: ${what}.`);
}
