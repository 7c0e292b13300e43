// A tiny pickle assembler for tests: each method appends one opcode, so a test spells out exactly the program a
// hostile or unusual file would contain. `torchStateDict` writes what torch.save writes for a state dict.

export class PickleWriter {
  private readonly bytes: number[] = [];

  op(code: number, ...args: number[]): this {
    this.bytes.push(code, ...args);
    return this;
  }
  proto(version = 2): this {
    return this.op(0x80, version);
  }
  mark(): this {
    return this.op(0x28);
  }
  stop(): this {
    return this.op(0x2e);
  }
  none(): this {
    return this.op(0x4e);
  }
  bool(value: boolean): this {
    return this.op(value ? 0x88 : 0x89);
  }
  emptyTuple(): this {
    return this.op(0x29);
  }
  emptyDict(): this {
    return this.op(0x7d);
  }
  emptyList(): this {
    return this.op(0x5d);
  }
  tuple(): this {
    return this.op(0x74);
  }
  tuple2(): this {
    return this.op(0x86);
  }
  reduce(): this {
    return this.op(0x52);
  }
  build(): this {
    return this.op(0x62);
  }
  setitem(): this {
    return this.op(0x73);
  }
  setitems(): this {
    return this.op(0x75);
  }
  binpersid(): this {
    return this.op(0x51);
  }
  put(index: number): this {
    return this.op(0x71, index);
  }
  get(index: number): this {
    return this.op(0x68, index);
  }

  /** The smallest opcode that holds the integer, like CPython's pickler. */
  int(value: number | bigint): this {
    const big = BigInt(value);
    if (big >= 0n && big < 256n) return this.op(0x4b, Number(big));
    if (big >= 0n && big < 65536n) return this.op(0x4d, Number(big) & 0xff, Number(big) >> 8);
    if (big >= -(2n ** 31n) && big < 2n ** 31n) {
      const word = Number(BigInt.asUintN(32, big));
      return this.op(0x4a, word & 0xff, (word >> 8) & 0xff, (word >> 16) & 0xff, word >>> 24);
    }
    // LONG1: little-endian two's complement in the fewest bytes, as CPython's encode_long writes it.
    const bitLength = (big < 0n ? -big - 1n : big).toString(2).length;
    const count = Math.floor(bitLength / 8) + 1;
    const bytes: number[] = [];
    let rest = BigInt.asUintN(8 * count, big);
    for (let i = 0; i < count; i += 1) {
      bytes.push(Number(rest & 0xffn));
      rest >>= 8n;
    }
    return this.op(0x8a, count, ...bytes);
  }

  float(value: number): this {
    const buffer = Buffer.alloc(8);
    buffer.writeDoubleBE(value);
    return this.op(0x47, ...buffer);
  }

  string(value: string): this {
    const utf8 = Buffer.from(value, 'utf8');
    if (utf8.length < 256) return this.op(0x8c, utf8.length, ...utf8);
    const length = Buffer.alloc(4);
    length.writeUInt32LE(utf8.length);
    return this.op(0x58, ...length, ...utf8);
  }

  /** BINUNICODE, the string opcode of protocol 2 (what torch.save's default protocol writes). */
  unicode(value: string): this {
    const utf8 = Buffer.from(value, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(utf8.length);
    return this.op(0x58, ...length, ...utf8);
  }

  global(module: string, name: string): this {
    return this.op(0x63, ...Buffer.from(`${module}\n${name}\n`, 'utf8'));
  }

  stackGlobal(module: string, name: string): this {
    return this.string(module).string(name).op(0x93);
  }

  intTuple(values: readonly number[]): this {
    this.mark();
    for (const value of values) this.int(value);
    return this.tuple();
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export interface PickledTensor {
  readonly name: string;
  readonly storageType: string; // 'FloatStorage', 'HalfStorage', ...
  readonly key: string;
  readonly numel: number;
  readonly offset?: number;
  readonly shape: readonly number[];
  readonly stride?: readonly number[];
  /** Wraps the tensor in torch._utils._rebuild_parameter, as nn.Parameter entries are. */
  readonly parameter?: boolean;
}

/** What torch.save(state_dict) pickles: OrderedDict() then SETITEMS of name → _rebuild_tensor_v2(...). */
export function torchStateDict(tensors: readonly PickledTensor[]): Uint8Array {
  const w = new PickleWriter().proto(2).global('collections', 'OrderedDict').emptyTuple().reduce().mark();
  for (const tensor of tensors) {
    w.string(tensor.name);
    if (tensor.parameter === true) w.global('torch._utils', '_rebuild_parameter').mark();
    w.global('torch._utils', '_rebuild_tensor_v2').mark();
    w.mark().string('storage').global('torch', tensor.storageType).string(tensor.key).string('cpu').int(tensor.numel).tuple().binpersid();
    w.int(tensor.offset ?? 0)
      .intTuple(tensor.shape)
      .intTuple(tensor.stride ?? contiguousStrides(tensor.shape));
    w.bool(false).global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce();
    if (tensor.parameter === true) w.bool(true).global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce();
  }
  return w.setitems().stop().toBytes();
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let axis = shape.length - 2; axis >= 0; axis -= 1) strides[axis] = strides[axis + 1]! * shape[axis + 1]!;
  return strides;
}
