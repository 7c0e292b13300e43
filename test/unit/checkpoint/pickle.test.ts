// The restricted unpickler: it builds the values a state dict needs, and refuses every global outside the
// whitelist by name, before anything could be called.
import { strict as assert } from 'node:assert';
import { PickleDict, PickleTuple, unpickle, type PickleValue } from '../../../src/core/checkpoint/pickle';
import { stateDictHooks, TensorRef } from '../../../src/core/checkpoint/torch-pickle';
import { PickleWriter, torchStateDict } from './support/pickle-writer';
import { lensError } from '../../support/lens-error';

function run(bytes: Uint8Array): PickleValue {
  return unpickle(bytes, 'test.pkl', stateDictHooks('test.bin'));
}

describe('restricted unpickler', () => {
  it('builds numbers, strings, tuples, lists, dicts and memo references', () => {
    const bytes = new PickleWriter()
      .proto(2)
      .emptyDict()
      .put(0)
      .mark()
      .string('ints')
      .mark()
      .int(7)
      .int(300)
      .int(-5)
      .int(70000)
      .int(2 ** 40)
      .int(-(2 ** 40))
      .tuple()
      .string('float')
      .float(-0.625)
      .string('flags')
      .emptyList()
      .mark()
      .bool(true)
      .bool(false)
      .none()
      .op(0x65) // APPENDS
      .string('self')
      .get(0)
      .setitems()
      .stop()
      .toBytes();
    const value = run(bytes);
    assert.ok(value instanceof PickleDict);
    const ints = value.entries.get('ints');
    assert.ok(ints instanceof PickleTuple);
    assert.deepEqual(ints.items, [7, 300, -5, 70000, 2 ** 40, -(2 ** 40)]);
    assert.equal(value.entries.get('float'), -0.625);
    assert.deepEqual(value.entries.get('flags'), [true, false, null]);
    assert.equal(value.entries.get('self'), value, 'BINGET returns the memoized object itself');
  });

  it('reads a torch state dict pickle into tensor references', () => {
    const bytes = torchStateDict([
      { name: 'a.weight', storageType: 'FloatStorage', key: '0', numel: 6, shape: [2, 3] },
      { name: 'b.bias', storageType: 'HalfStorage', key: '1', numel: 4, offset: 1, shape: [3], parameter: true },
    ]);
    const value = run(bytes);
    assert.ok(value instanceof PickleDict);
    const a = value.entries.get('a.weight');
    assert.ok(a instanceof TensorRef);
    assert.deepEqual([a.storage.key, a.storage.dtype, a.storage.numel, a.offset], ['0', 'F32', 6, 0]);
    assert.deepEqual(
      [a.shape, a.stride],
      [
        [2, 3],
        [3, 1],
      ],
    );
    const b = value.entries.get('b.bias');
    assert.ok(b instanceof TensorRef);
    assert.deepEqual([b.storage.dtype, b.offset, b.shape], ['F16', 1, [3]]);
  });

  it('refuses os.system, naming it', () => {
    const bytes = new PickleWriter().proto(2).global('os', 'system').string('echo pwned').op(0x85).reduce().stop().toBytes();
    assert.throws(
      () => run(bytes),
      lensError('UNSAFE_PICKLE', /pickle references os\.system, which a state dict never needs; refusing to load/),
    );
  });

  it('refuses builtins.eval reached through STACK_GLOBAL', () => {
    const bytes = new PickleWriter().proto(4).stackGlobal('builtins', 'eval').string('1+1').op(0x85).reduce().stop().toBytes();
    assert.throws(() => run(bytes), lensError('UNSAFE_PICKLE', /builtins\.eval/));
  });

  it('refuses a whitelisted-looking global in another module', () => {
    const bytes = new PickleWriter().proto(2).global('torch._utils', '_rebuild_device_tensor_from_numpy').stop().toBytes();
    assert.throws(() => run(bytes), lensError('UNSAFE_PICKLE', /torch\._utils\._rebuild_device_tensor_from_numpy/));
  });

  it('refuses opcodes a state dict never uses (INST, OBJ, EXT1)', () => {
    for (const opcode of [0x69, 0x6f, 0x82]) {
      const bytes = new PickleWriter().proto(2).mark().op(opcode).stop().toBytes();
      assert.throws(() => run(bytes), lensError('UNSAFE_PICKLE', /opcode 0x/));
    }
  });

  it('keeps a __proto__ key as data and pollutes no prototype', () => {
    const polluting = new PickleWriter()
      .proto(2)
      .global('collections', 'OrderedDict')
      .emptyTuple()
      .reduce()
      .string('__proto__')
      .emptyDict()
      .string('polluted')
      .bool(true)
      .setitem()
      .setitem()
      .string('constructor')
      .none()
      .setitem()
      .stop()
      .toBytes();
    const value = run(polluting);
    assert.ok(value instanceof PickleDict);
    assert.ok(value.entries.get('__proto__') instanceof PickleDict);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
  });

  it('drops BUILD state on an OrderedDict (its _metadata)', () => {
    const bytes = new PickleWriter()
      .proto(2)
      .global('collections', 'OrderedDict')
      .emptyTuple()
      .reduce()
      .emptyDict()
      .string('_metadata')
      .emptyDict()
      .setitem()
      .build()
      .stop()
      .toBytes();
    const value = run(bytes);
    assert.ok(value instanceof PickleDict);
    assert.equal(value.entries.size, 0);
  });

  it('refuses calling a storage type or a non-callable', () => {
    const storageCall = new PickleWriter().proto(2).global('torch', 'FloatStorage').emptyTuple().reduce().stop().toBytes();
    assert.throws(() => run(storageCall), lensError('BAD_CHECKPOINT', /torch\.FloatStorage cannot be called/));
    const stringCall = new PickleWriter().proto(2).string('os.system').emptyTuple().reduce().stop().toBytes();
    assert.throws(() => run(stringCall), lensError('BAD_CHECKPOINT', /string cannot be called/));
  });

  it('refuses truncated and inconsistent programs cleanly', () => {
    const cases: Array<[Uint8Array, RegExp]> = [
      [Uint8Array.from([0x80, 0x02, 0x58, 0xff, 0xff, 0xff, 0x7f]), /length of 2147483647 runs past the end/],
      [Uint8Array.from([0x80, 0x02, 0x4a, 0x01]), /ends in the middle of an opcode/],
      [new PickleWriter().proto(2).get(9).stop().toBytes(), /memo entry 9 was never stored/],
      [new PickleWriter().proto(2).stop().toBytes(), /stack is empty/],
      [new PickleWriter().proto(2).int(1).tuple().stop().toBytes(), /no mark/],
      [new PickleWriter().proto(2).int(0).int(1).int(2).setitem().stop().toBytes(), /SETITEM needs a dict/],
      [Uint8Array.from([0x80, 0x02, 0x63, 0x6f, 0x73]), /GLOBAL is not terminated/],
      [Uint8Array.from([0x80, 0x02, 0x8a, 0x40, ...new Uint8Array(64), 0x2e]), /integer of 64 bytes/],
      [Uint8Array.from([0x80, 0x02]), /ends in the middle/],
    ];
    for (const [bytes, pattern] of cases) assert.throws(() => run(bytes), lensError('BAD_CHECKPOINT', pattern));
  });

  it('refuses malformed storage ids and tensor arguments', () => {
    const negativeSize = torchStateDict([{ name: 'w', storageType: 'FloatStorage', key: '0', numel: 4, shape: [-2] }]);
    assert.throws(() => run(negativeSize), lensError('BAD_CHECKPOINT', /tensor size -2/));
    const pathKey = torchStateDict([{ name: 'w', storageType: 'FloatStorage', key: '../0', numel: 4, shape: [4] }]);
    assert.throws(() => run(pathKey), lensError('BAD_CHECKPOINT', /storage key \.\.\/0 is not a plain name/));
    const shorts = torchStateDict([{ name: 'w', storageType: 'ShortStorage', key: '0', numel: 4, shape: [4] }]);
    assert.throws(
      () => run(shorts),
      lensError('BAD_CHECKPOINT', /torch\.ShortStorage; only float32, float16, bfloat16, float64, int64, int32 and bool/),
    );
    const mismatched = torchStateDict([{ name: 'w', storageType: 'FloatStorage', key: '0', numel: 4, shape: [2, 2], stride: [1] }]);
    assert.throws(() => run(mismatched), lensError('BAD_CHECKPOINT', /2 sizes but 1 strides/));
  });
});
