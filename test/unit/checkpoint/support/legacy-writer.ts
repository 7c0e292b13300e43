// Writes torch.save's legacy (pre-1.6) format the way torch/serialization.py's _legacy_save does, opcode by
// opcode with the tests' own pickle assembler, independently of the reader: five pickles (magic number, protocol
// version, sys_info, the state dict, the sorted storage keys), then for each key an 8-byte little-endian element
// count and the raw elements. Every field can be overridden so that tests can write hostile files too.
import { PickleWriter } from './pickle-writer';

export const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;

export interface LegacyStorage {
  readonly key: string;
  readonly storageType: string; // 'FloatStorage', 'HalfStorage', ...
  readonly numel: number;
  readonly bytes: Uint8Array;
}

export interface LegacyTensor {
  readonly name: string;
  readonly storage: LegacyStorage;
  readonly offset?: number;
  readonly shape: readonly number[];
  readonly stride?: readonly number[];
  /** view_metadata (PyTorch < 0.4): the tensor sees elements [offset, offset + numel) of the storage as `key`. */
  readonly view?: { readonly key: string; readonly offset: number; readonly numel: number };
  readonly parameter?: boolean;
}

export interface LegacyOptions {
  readonly magic?: bigint;
  readonly protocolVersion?: number;
  readonly littleEndian?: boolean;
  /** The storage key list; the default is the sorted keys of the tensors' storages, as torch writes it. */
  readonly keys?: readonly string[];
  /** The element count written before each storage; the default is its numel. */
  readonly counts?: ReadonlyMap<string, bigint>;
  /** Cuts the file to this many bytes. */
  readonly truncateTo?: number;
}

/** A legacy torch.save file of a state dict (an OrderedDict of tensors). */
export function legacyTorchFile(tensors: readonly LegacyTensor[], options: LegacyOptions = {}): Buffer {
  const { pickles, storages } = legacyTorchParts(tensors, options);
  const file = Buffer.concat([pickles, ...storages.flatMap(({ count, bytes }) => [count, bytes])]);
  return options.truncateTo === undefined ? file : file.subarray(0, options.truncateTo);
}

/**
 * The same file in parts, for writers that stream storages to disk one at a time: the five pickles, then each
 * storage's 8-byte count and its bytes (the storage's own `bytes`, which a streaming writer may leave empty and
 * write itself).
 */
export function legacyTorchParts(
  tensors: readonly LegacyTensor[],
  options: LegacyOptions = {},
): { pickles: Buffer; storages: Array<{ key: string; count: Buffer; bytes: Uint8Array }> } {
  const storages = new Map<string, LegacyStorage>();
  for (const tensor of tensors) storages.set(tensor.storage.key, tensor.storage);
  const keys = options.keys ?? [...storages.keys()].sort();

  const pickles = Buffer.concat([
    new PickleWriter()
      .proto(2)
      .int(options.magic ?? MAGIC_NUMBER)
      .stop()
      .toBytes(),
    new PickleWriter()
      .proto(2)
      .int(options.protocolVersion ?? 1001)
      .stop()
      .toBytes(),
    sysInfo(options.littleEndian ?? true),
    stateDict(tensors),
    keyList(keys),
  ]);
  return {
    pickles,
    storages: keys.map((key) => {
      const storage = storages.get(key);
      const count = Buffer.alloc(8);
      count.writeBigUInt64LE(options.counts?.get(key) ?? BigInt(storage?.numel ?? 0));
      return { key, count, bytes: storage?.bytes ?? new Uint8Array() };
    }),
  };
}

/** dict(protocol_version=1001, little_endian=..., type_sizes=dict(short=2, int=4, long=8)), with memo puts. */
function sysInfo(littleEndian: boolean): Uint8Array {
  const w = new PickleWriter().proto(2).emptyDict().put(0).mark();
  w.unicode('protocol_version').put(1).int(1001);
  w.unicode('little_endian').put(2).bool(littleEndian);
  w.unicode('type_sizes').put(3).emptyDict().put(4).mark();
  w.unicode('short').put(5).int(2).unicode('int').put(6).int(4).unicode('long').put(7).int(8);
  return w.setitems().setitems().stop().toBytes();
}

/** Protocol 2, as torch.save writes it: BINUNICODE strings, GLOBAL opcodes, 6-tuple persistent ids. */
function stateDict(tensors: readonly LegacyTensor[]): Uint8Array {
  const w = new PickleWriter().proto(2).global('collections', 'OrderedDict').put(0).emptyTuple().reduce().put(1).mark();
  for (const tensor of tensors) {
    w.unicode(tensor.name);
    if (tensor.parameter === true) w.global('torch._utils', '_rebuild_parameter').mark();
    w.global('torch._utils', '_rebuild_tensor_v2').mark();
    w.mark()
      .unicode('storage')
      .global('torch', tensor.storage.storageType)
      .unicode(tensor.storage.key)
      .unicode('cpu')
      .int(tensor.storage.numel);
    if (tensor.view === undefined) w.none();
    else w.unicode(tensor.view.key).int(tensor.view.offset).int(tensor.view.numel).op(0x87); // TUPLE3
    w.tuple().binpersid();
    w.int(tensor.offset ?? 0)
      .intTuple(tensor.shape)
      .intTuple(tensor.stride ?? contiguous(tensor.shape));
    w.bool(false).global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce();
    if (tensor.parameter === true) w.bool(true).global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce();
  }
  return w.setitems().stop().toBytes();
}

function keyList(keys: readonly string[]): Uint8Array {
  const w = new PickleWriter().proto(2).emptyList().put(0).mark();
  for (const key of keys) w.unicode(key);
  return w.op(0x65).stop().toBytes(); // APPENDS
}

function contiguous(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let axis = shape.length - 2; axis >= 0; axis -= 1) strides[axis] = strides[axis + 1]! * shape[axis + 1]!;
  return strides;
}
