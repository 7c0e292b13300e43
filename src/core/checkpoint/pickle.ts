// A restricted pickle machine: it interprets the opcodes that a PyTorch state dict's data.pkl uses and nothing
// else. Pickle is a program, not a data format: Python's unpickler imports any module and calls any function a
// file names. This one never imports or executes anything; a global is only a name looked up in the caller's
// whitelist (torch-pickle.ts), and every other name is refused before it is ever used.
// Opcode reference: CPython's Lib/pickletools.py.
import { LensError } from '../errors';

/** Values the machine builds. Python tuples, dicts and globals get their own classes; lists are arrays. */
export type PickleValue =
  null | boolean | number | bigint | string | Uint8Array | PickleValue[] | PickleTuple | PickleDict | PickleGlobal | PickleObject;

export class PickleTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** A Python dict. A Map, so that keys like `__proto__` or `constructor` are plain data and never touch prototypes. */
export class PickleDict {
  readonly entries = new Map<PickleValue, PickleValue>();
}

/** A whitelisted global. `call` is what REDUCE/NEWOBJ do with it; globals without one (storage types) are tags. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly call?: (args: readonly PickleValue[]) => PickleValue,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** Base of the values that whitelisted globals and persistent ids produce (storages, tensors). */
export abstract class PickleObject {}

export interface PickleHooks {
  /** Returns the whitelisted global, or throws UNSAFE_PICKLE naming it. */
  resolveGlobal(module: string, name: string): PickleGlobal;
  /** Resolves a BINPERSID id (PyTorch: a reference to a storage in the archive). */
  persistentLoad(id: PickleValue): PickleValue;
}

// Marks a MARK on the stack; a unique object so no pickled value can be mistaken for it.
const MARK: unique symbol = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

/** Runs the pickle in `bytes` and returns the value STOP leaves; `source` names the file in errors. */
export function unpickle(bytes: Uint8Array, source: string, hooks: PickleHooks): PickleValue {
  return new Machine(bytes, 0, source, hooks).run();
}

/**
 * Runs the pickle that starts at byte `start` of `bytes` and says where it ended (just past its STOP), for files
 * that hold several pickles in a row (torch.save's legacy format). Error positions count from the start of `bytes`.
 */
export function unpickleAt(bytes: Uint8Array, start: number, source: string, hooks: PickleHooks): { value: PickleValue; end: number } {
  const machine = new Machine(bytes, start, source, hooks);
  const value = machine.run();
  return { value, end: machine.end };
}

class Machine {
  private position: number;
  private readonly stack: StackItem[] = [];
  // A Map: hostile memo indices (2^32 - 1) must not allocate a sparse array.
  private readonly memo = new Map<number, PickleValue>();
  private readonly view: DataView;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly source: string,
    private readonly hooks: PickleHooks,
  ) {
    this.position = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Where reading stopped: after run(), the byte after STOP. */
  get end(): number {
    return this.position;
  }

  run(): PickleValue {
    for (;;) {
      const at = this.position;
      const opcode = this.u8();
      switch (opcode) {
        case 0x80: // PROTO: the protocol version; any of 2..5 reads the same with the opcodes below.
          this.u8();
          break;
        case 0x95: // FRAME: a length hint for buffered readers; the whole pickle is already in memory.
          this.take(8);
          break;
        case 0x2e: // STOP
          return this.popValue(at);

        case 0x28: // MARK
          this.stack.push(MARK);
          break;
        case 0x30: // POP
          this.pop(at);
          break;
        case 0x31: // POP_MARK
          this.popToMark(at);
          break;
        case 0x32: // DUP
          this.stack.push(this.peek(at));
          break;

        case 0x4e: // NONE
          this.stack.push(null);
          break;
        case 0x88: // NEWTRUE
          this.stack.push(true);
          break;
        case 0x89: // NEWFALSE
          this.stack.push(false);
          break;
        case 0x4a: // BININT: signed 32-bit
          this.stack.push(this.view.getInt32(this.advance(4), true));
          break;
        case 0x4b: // BININT1: unsigned 8-bit
          this.stack.push(this.u8());
          break;
        case 0x4d: // BININT2: unsigned 16-bit
          this.stack.push(this.view.getUint16(this.advance(2), true));
          break;
        case 0x8a: // LONG1: a little-endian two's-complement integer of n bytes
          this.stack.push(this.long(this.u8()));
          break;
        case 0x8b: // LONG4
          this.stack.push(this.long(this.length(this.view.getUint32(this.advance(4), true), at)));
          break;
        case 0x47: // BINFLOAT: big-endian float64
          this.stack.push(this.view.getFloat64(this.advance(8), false));
          break;

        case 0x58: // BINUNICODE: u32 length, UTF-8
          this.stack.push(this.text(this.length(this.view.getUint32(this.advance(4), true), at), at));
          break;
        case 0x8c: // SHORT_BINUNICODE: u8 length, UTF-8
          this.stack.push(this.text(this.u8(), at));
          break;
        case 0x8d: // BINUNICODE8: u64 length, UTF-8
          this.stack.push(this.text(this.length(this.u64(), at), at));
          break;
        case 0x42: // BINBYTES: u32 length
          this.stack.push(this.take(this.length(this.view.getUint32(this.advance(4), true), at)));
          break;
        case 0x43: // SHORT_BINBYTES: u8 length
          this.stack.push(this.take(this.u8()));
          break;

        case 0x5d: // EMPTY_LIST
          this.stack.push([]);
          break;
        case 0x29: // EMPTY_TUPLE
          this.stack.push(new PickleTuple([]));
          break;
        case 0x7d: // EMPTY_DICT
          this.stack.push(new PickleDict());
          break;
        case 0x6c: // LIST: the items since the mark
          this.stack.push(this.popToMark(at));
          break;
        case 0x74: // TUPLE: the items since the mark
          this.stack.push(new PickleTuple(this.popToMark(at)));
          break;
        case 0x85: // TUPLE1
        case 0x86: // TUPLE2
        case 0x87: {
          // TUPLE3
          const count = opcode - 0x84;
          const items: PickleValue[] = [];
          for (let i = 0; i < count; i += 1) items.unshift(this.popValue(at));
          this.stack.push(new PickleTuple(items));
          break;
        }
        case 0x64: {
          // DICT: key, value pairs since the mark
          const dict = new PickleDict();
          this.setItems(dict, this.popToMark(at), at);
          this.stack.push(dict);
          break;
        }
        case 0x61: {
          // APPEND
          const item = this.popValue(at);
          this.listOnTop(at).push(item);
          break;
        }
        case 0x65: {
          // APPENDS
          const items = this.popToMark(at);
          this.listOnTop(at).push(...items);
          break;
        }
        case 0x73: {
          // SETITEM
          const value = this.popValue(at);
          const key = this.popValue(at);
          this.setItems(this.dictOnTop(at), [key, value], at);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = this.popToMark(at);
          this.setItems(this.dictOnTop(at), items, at);
          break;
        }

        case 0x71: // BINPUT: u8 index
          this.memo.set(this.u8(), this.peek(at));
          break;
        case 0x72: // LONG_BINPUT: u32 index
          this.memo.set(this.view.getUint32(this.advance(4), true), this.peek(at));
          break;
        case 0x94: // MEMOIZE: the next free index
          this.memo.set(this.memo.size, this.peek(at));
          break;
        case 0x68: // BINGET
          this.stack.push(this.memoGet(this.u8(), at));
          break;
        case 0x6a: // LONG_BINGET
          this.stack.push(this.memoGet(this.view.getUint32(this.advance(4), true), at));
          break;

        case 0x63: {
          // GLOBAL: "module\nname\n"
          const module = this.line(at);
          const name = this.line(at);
          this.stack.push(this.hooks.resolveGlobal(module, name));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL: module and name from the stack
          const name = this.popValue(at);
          const module = this.popValue(at);
          if (typeof module !== 'string' || typeof name !== 'string') throw this.bad(at, 'STACK_GLOBAL needs two strings');
          this.stack.push(this.hooks.resolveGlobal(module, name));
          break;
        }
        case 0x52: // REDUCE: callable(*args)
        case 0x81: {
          // NEWOBJ: cls.__new__(cls, *args); for the whitelisted classes the same as a call
          const args = this.popValue(at);
          const callable = this.popValue(at);
          if (!(args instanceof PickleTuple)) throw this.bad(at, 'the arguments of a call must be a tuple');
          if (!(callable instanceof PickleGlobal) || callable.call === undefined) {
            throw this.bad(at, `${describe(callable)} cannot be called`);
          }
          this.stack.push(callable.call(args.items));
          break;
        }
        case 0x62: // BUILD: obj.__setstate__(state). The states a state dict carries (an OrderedDict's
          // _metadata, a tensor's attributes) mean nothing to the engine, so the state is dropped.
          this.popValue(at);
          this.peek(at);
          break;
        case 0x51: // BINPERSID: a reference to data outside the pickle
          this.stack.push(this.hooks.persistentLoad(this.popValue(at)));
          break;

        default:
          throw new LensError(
            'UNSAFE_PICKLE',
            `${this.source}: the pickle uses opcode 0x${opcode.toString(16).padStart(2, '0')} at byte ${at}, which a state dict never needs; refusing to load.`,
            'Save the weights as safetensors, or with torch.save(model.state_dict(), path).',
          );
      }
    }
  }

  private setItems(dict: PickleDict, items: readonly PickleValue[], at: number): void {
    if (items.length % 2 !== 0) throw this.bad(at, 'a dict needs key, value pairs');
    for (let i = 0; i < items.length; i += 2) dict.entries.set(items[i]!, items[i + 1]!);
  }

  private listOnTop(at: number): PickleValue[] {
    const top = this.peek(at);
    if (!Array.isArray(top)) throw this.bad(at, 'APPEND needs a list');
    return top;
  }

  private dictOnTop(at: number): PickleDict {
    const top = this.peek(at);
    if (!(top instanceof PickleDict)) throw this.bad(at, 'SETITEM needs a dict');
    return top;
  }

  private memoGet(index: number, at: number): PickleValue {
    const value = this.memo.get(index);
    if (value === undefined) throw this.bad(at, `memo entry ${index} was never stored`);
    return value;
  }

  private pop(at: number): StackItem {
    if (this.stack.length === 0) throw this.bad(at, 'the stack is empty');
    return this.stack.pop()!;
  }

  private popValue(at: number): PickleValue {
    const item = this.pop(at);
    if (item === MARK) throw this.bad(at, 'a mark is where a value should be');
    return item;
  }

  private peek(at: number): PickleValue {
    const item = this.stack[this.stack.length - 1];
    if (item === undefined || item === MARK) throw this.bad(at, 'no value on the stack');
    return item;
  }

  private popToMark(at: number): PickleValue[] {
    const mark = this.stack.lastIndexOf(MARK);
    if (mark < 0) throw this.bad(at, 'no mark on the stack');
    const items = this.stack.splice(mark) as PickleValue[];
    items.shift();
    return items;
  }

  private u8(): number {
    return this.view.getUint8(this.advance(1));
  }

  private u64(): bigint {
    return this.view.getBigUint64(this.advance(8), true);
  }

  /** Moves past `count` bytes and returns where they start; a pickle cut short is an error, not a RangeError. */
  private advance(count: number): number {
    const start = this.position;
    if (count > this.bytes.byteLength - start) {
      throw this.bad(start, `the pickle ends in the middle of an opcode (needs ${count} bytes)`);
    }
    this.position = start + count;
    return start;
  }

  private take(count: number): Uint8Array {
    const start = this.advance(count);
    return this.bytes.subarray(start, start + count);
  }

  /** A length read from the file, checked against what is left before anything is allocated for it. */
  private length(value: number | bigint, at: number): number {
    if (BigInt(value) > BigInt(this.bytes.byteLength - this.position)) {
      throw this.bad(at, `a length of ${value} runs past the end of the pickle`);
    }
    return Number(value);
  }

  private text(count: number, at: number): string {
    try {
      return this.decoder.decode(this.take(count));
    } catch (error) {
      if (error instanceof LensError) throw error;
      throw this.bad(at, 'a string is not valid UTF-8');
    }
  }

  private line(at: number): string {
    const end = this.bytes.indexOf(0x0a, this.position);
    if (end < 0) throw this.bad(at, 'GLOBAL is not terminated by a newline');
    const text = this.text(end - this.position, at);
    this.position = end + 1;
    return text;
  }

  /** Two's-complement little-endian; small values become numbers, the rest bigints (used only if in range). */
  private long(count: number): number | bigint {
    // Sizes and offsets fit in 8 bytes; a huge integer would only cost quadratic time to decode.
    if (count > 16) throw this.bad(this.position, `an integer of ${count} bytes is larger than a state dict needs`);
    const bytes = this.take(count);
    let value = 0n;
    for (let i = count - 1; i >= 0; i -= 1) value = (value << 8n) | BigInt(bytes[i]!);
    if (count > 0 && (bytes[count - 1]! & 0x80) !== 0) value -= 1n << BigInt(8 * count);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  private bad(at: number, what: string): LensError {
    return new LensError('BAD_CHECKPOINT', `${this.source}: malformed pickle at byte ${at}: ${what}.`);
  }
}

function describe(value: PickleValue): string {
  if (value instanceof PickleGlobal) return value.qualifiedName;
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof PickleTuple) return 'a tuple';
  if (value instanceof PickleDict) return 'a dict';
  if (value instanceof PickleObject) return 'an object';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value;
}
