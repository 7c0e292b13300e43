// The pytorch_model.bin reader: bit-identical to the safetensors fixtures, strided and half-precision storages,
// and refusals for archives that are legacy, incomplete, compressed oddly or that lie about their sizes.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPytorchBin } from '../../../src/core/checkpoint/pytorch';
import { readSafetensors } from '../../../src/core/checkpoint/safetensors';
import { FIXTURE_CASES, FIXTURES, floatBytes, torchZip } from './support/checkpoint-files';
import { PickleWriter, torchStateDict } from './support/pickle-writer';
import { writeZip } from './support/zip-writer';
import { lensError } from '../../support/lens-error';

function bytesOf(data: Float32Array | BigInt64Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

describe('pytorch_model.bin reader', () => {
  for (const name of FIXTURE_CASES) {
    it(`reads ${name} bit-identical to its model.safetensors`, async () => {
      const file = readFileSync(join(FIXTURES, name, 'pytorch_model.bin'));
      const fromBin = await readPytorchBin(file, name);
      const fromSafetensors = readSafetensors(readFileSync(join(FIXTURES, name, 'model.safetensors')), name);
      assert.deepEqual([...fromBin.keys()].sort(), [...fromSafetensors.keys()].sort());
      for (const [tensorName, { tensor, sourceDtype }] of fromBin) {
        const other = fromSafetensors.get(tensorName)!.tensor;
        assert.equal(sourceDtype, 'F32');
        assert.deepEqual(tensor.shape, other.shape, tensorName);
        assert.ok(bytesOf(tensor.data).equals(bytesOf(other.data)), `${tensorName} differs`);
        // torch.save aligns storages to 64 bytes, so float32 weights are views over the file, not copies.
        assert.equal(tensor.data.buffer, file.buffer, `${tensorName} was copied`);
      }
    });
  }

  it('follows storage offsets and strides (a transposed view is gathered)', async () => {
    // Storage 0..11; "t" is the transpose of the 3x4 matrix, "row" is row 1 taken by offset.
    const storage = floatBytes([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const pickle = torchStateDict([
      { name: 't', storageType: 'FloatStorage', key: '0', numel: 12, shape: [4, 3], stride: [1, 4] },
      { name: 'row', storageType: 'FloatStorage', key: '0', numel: 12, offset: 4, shape: [4], parameter: true },
      { name: 'every-other', storageType: 'FloatStorage', key: '0', numel: 12, offset: 1, shape: [2, 2], stride: [6, 2] },
    ]);
    const tensors = await readPytorchBin(torchZip(pickle, new Map([['0', storage]])), 'strided.bin');
    assert.deepEqual([...tensors.get('t')!.tensor.data], [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    assert.deepEqual(tensors.get('t')!.tensor.shape, [4, 3]);
    assert.deepEqual([...tensors.get('row')!.tensor.data], [4, 5, 6, 7]);
    assert.deepEqual([...tensors.get('every-other')!.tensor.data], [1, 3, 7, 9]);
  });

  it('shares one array between views of the same storage region (tied weights)', async () => {
    const pickle = torchStateDict([
      { name: 'embeddings', storageType: 'FloatStorage', key: '0', numel: 4, shape: [2, 2] },
      { name: 'decoder', storageType: 'FloatStorage', key: '0', numel: 4, shape: [2, 2] },
    ]);
    const tensors = await readPytorchBin(torchZip(pickle, new Map([['0', floatBytes([1, 2, 3, 4])]])), 'tied.bin');
    assert.equal(tensors.get('embeddings')!.tensor, tensors.get('decoder')!.tensor);
  });

  it('widens HalfStorage and BFloat16Storage and keeps LongStorage as int64', async () => {
    const pickle = torchStateDict([
      { name: 'half', storageType: 'HalfStorage', key: '0', numel: 3, shape: [3] },
      { name: 'brain', storageType: 'BFloat16Storage', key: '1', numel: 2, shape: [2] },
      { name: 'ids', storageType: 'LongStorage', key: '2', numel: 2, shape: [2] },
    ]);
    const storages = new Map<string, Uint8Array>([
      ['0', new Uint8Array(new Uint16Array([0x3c00, 0xbc00, 0x0001]).buffer)], // 1, -1, smallest subnormal
      ['1', new Uint8Array(new Uint16Array([0xc040, 0x3e80]).buffer)], // -3, 0.25
      ['2', new Uint8Array(new BigInt64Array([5n, -1n]).buffer)],
    ]);
    const tensors = await readPytorchBin(torchZip(pickle, storages), 'half.bin');
    assert.equal(tensors.get('half')!.sourceDtype, 'F16');
    assert.deepEqual([...tensors.get('half')!.tensor.data], [1, -1, 2 ** -24]);
    assert.equal(tensors.get('brain')!.sourceDtype, 'BF16');
    assert.deepEqual([...tensors.get('brain')!.tensor.data], [-3, 0.25]);
    assert.equal(tensors.get('ids')!.tensor.dtype, 'int64');
    assert.deepEqual([...tensors.get('ids')!.tensor.data], [5n, -1n]);
  });

  it('reads what other writers put in zip files: _rebuild_parameter_with_state, UntypedStorage with a dtype, OrderedDict metadata', async () => {
    const w = new PickleWriter().proto(2).global('collections', 'OrderedDict').emptyTuple().reduce().mark();
    // A parameter saved with its __dict__ state (torch >= 2.0 for subclassed Parameters).
    w.string('p').global('torch._utils', '_rebuild_parameter_with_state').mark();
    w.global('torch._utils', '_rebuild_tensor_v2').mark();
    w.mark().string('storage').global('torch', 'FloatStorage').string('0').string('cpu').int(2).tuple().binpersid();
    w.int(0).intTuple([2]).intTuple([1]).bool(false).global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce();
    w.bool(true).global('collections', 'OrderedDict').emptyTuple().reduce().emptyDict().tuple().reduce();
    // A tensor over an UntypedStorage (numel counts bytes), its dtype given to _rebuild_tensor_v3.
    w.string('u').global('torch._utils', '_rebuild_tensor_v3').mark();
    w.mark().string('storage').global('torch', 'UntypedStorage').string('1').string('cpu').int(8).tuple().binpersid();
    w.int(1).intTuple([1]).intTuple([1]).bool(false).global('collections', 'OrderedDict').emptyTuple().reduce();
    w.global('torch', 'float32').tuple().reduce();
    // The state dict's _metadata, set by BUILD after the items.
    w.setitems().emptyDict().string('_metadata').global('collections', 'OrderedDict').emptyTuple().reduce();
    w.string('').emptyDict().string('version').int(1).setitem().setitem().setitem().build().stop();
    const storages = new Map([
      ['0', floatBytes([0.5, 1.5])],
      ['1', floatBytes([7, -9])],
    ]);
    const tensors = await readPytorchBin(torchZip(w.toBytes(), storages), 'writers.bin');
    assert.deepEqual([...tensors.keys()], ['p', 'u']);
    assert.deepEqual([...tensors.get('p')!.tensor.data], [0.5, 1.5]);
    assert.deepEqual([...tensors.get('u')!.tensor.data], [-9]);
    assert.equal(tensors.get('u')!.sourceDtype, 'F32');
  });

  it('reads deflated members', async () => {
    const pickle = torchStateDict([{ name: 'w', storageType: 'FloatStorage', key: '0', numel: 2, shape: [2] }]);
    const zip = writeZip([
      { name: 'archive/data.pkl', data: pickle, method: 8 },
      { name: 'archive/data/0', data: floatBytes([0.5, 8]), method: 8 },
    ]);
    const tensors = await readPytorchBin(zip, 'deflated.bin');
    assert.deepEqual([...tensors.get('w')!.tensor.data], [0.5, 8]);
  });

  it('refuses a pickle that references os.system, naming it', async () => {
    const pickle = new PickleWriter().proto(2).global('os', 'system').string('rm -rf ~').op(0x85).reduce().stop().toBytes();
    await assert.rejects(readPytorchBin(torchZip(pickle, new Map()), 'evil.bin'), lensError('UNSAFE_PICKLE', /evil\.bin.*os\.system/));
  });

  it('refuses a pickle that references builtins.eval, naming it', async () => {
    const pickle = new PickleWriter().proto(2).global('builtins', 'eval').string('__import__("os")').op(0x85).reduce().stop().toBytes();
    await assert.rejects(readPytorchBin(torchZip(pickle, new Map()), 'evil.bin'), lensError('UNSAFE_PICKLE', /builtins\.eval/));
  });

  it('loads a state dict whose key is __proto__ without polluting prototypes', async () => {
    const pickle = torchStateDict([
      { name: '__proto__', storageType: 'FloatStorage', key: '0', numel: 1, shape: [1] },
      { name: 'constructor', storageType: 'FloatStorage', key: '0', numel: 1, shape: [1] },
    ]);
    const tensors = await readPytorchBin(torchZip(pickle, new Map([['0', floatBytes([42])]])), 'proto.bin');
    assert.deepEqual([...tensors.get('__proto__')!.tensor.data], [42]);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.equal(({} as Record<string, unknown>)['tensor'], undefined);
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
  });

  it('refuses a storage that claims more elements than its member holds, before allocating', async () => {
    const pickle = torchStateDict([{ name: 'w', storageType: 'FloatStorage', key: '0', numel: 2 ** 40, shape: [2 ** 40] }]);
    await assert.rejects(
      readPytorchBin(torchZip(pickle, new Map([['0', floatBytes([1, 2])]])), 'huge.bin'),
      lensError(
        'BAD_CHECKPOINT',
        /storage 0 claims 1099511627776 F32 elements \(4398046511104 bytes\) but member archive\/data\/0 holds 8 bytes/,
      ),
    );
  });

  it('refuses a view that reaches past the end of its storage', async () => {
    const pickle = torchStateDict([{ name: 'w', storageType: 'FloatStorage', key: '0', numel: 4, offset: 2, shape: [2, 2] }]);
    await assert.rejects(
      readPytorchBin(torchZip(pickle, new Map([['0', floatBytes([1, 2, 3, 4])]])), 'view.bin'),
      lensError('BAD_CHECKPOINT', /tensor "w" \[2, 2\] at offset 2 .* reaches element 5 of a storage of 4/),
    );
  });

  it('refuses a storage whose member is missing', async () => {
    const pickle = torchStateDict([{ name: 'w', storageType: 'FloatStorage', key: '7', numel: 1, shape: [1] }]);
    await assert.rejects(
      readPytorchBin(torchZip(pickle, new Map()), 'gone.bin'),
      lensError('BAD_CHECKPOINT', /storage 7 has no member archive\/data\/7/),
    );
  });

  it('refuses a zip without data.pkl', async () => {
    const zip = writeZip([{ name: 'archive/data/0', data: floatBytes([1]) }]);
    await assert.rejects(
      readPytorchBin(zip, 'nopickle.bin'),
      lensError('BAD_CHECKPOINT', /nopickle\.bin: the zip archive has no data\.pkl/),
    );
  });

  it('refuses a member with an unknown compression method', async () => {
    const pickle = torchStateDict([{ name: 'w', storageType: 'FloatStorage', key: '0', numel: 1, shape: [1] }]);
    const zip = writeZip([
      { name: 'archive/data.pkl', data: pickle },
      { name: 'archive/data/0', data: floatBytes([1]), method: 14 },
    ]);
    await assert.rejects(
      readPytorchBin(zip, 'lzma.bin'),
      lensError('BAD_CHECKPOINT', /member archive\/data\/0 uses zip compression method 14/),
    );
  });

  it('refuses a state dict whose values are not tensors', async () => {
    const pickle = new PickleWriter().proto(2).emptyDict().string('w').int(3).setitem().stop().toBytes();
    await assert.rejects(readPytorchBin(torchZip(pickle, new Map()), 'ints.bin'), lensError('BAD_CHECKPOINT', /entry "w" is not a tensor/));
    const list = new PickleWriter().proto(2).emptyList().stop().toBytes();
    await assert.rejects(readPytorchBin(torchZip(list, new Map()), 'list.bin'), lensError('BAD_CHECKPOINT', /holds no state dict/));
  });

  it('reads the legacy torch.save format, and refuses a legacy file cut after its magic number as malformed', async () => {
    const legacy = Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
    await assert.rejects(readPytorchBin(legacy, 'old.bin'), lensError('BAD_CHECKPOINT', /old\.bin: malformed pickle at byte 15/));
  });

  it('refuses files that are not zip archives, and broken zips', async () => {
    await assert.rejects(readPytorchBin(Buffer.from('hello world'), 'text.bin'), lensError('BAD_CHECKPOINT', /not a PyTorch checkpoint/));
    await assert.rejects(readPytorchBin(Uint8Array.from([0x80, 0x04, 0x2e]), 'bare.bin'), lensError('BAD_CHECKPOINT', /bare pickle/));
    const zip = torchZip(torchStateDict([]), new Map());
    await assert.rejects(
      readPytorchBin(zip.subarray(0, zip.length - 10), 'cut.bin'),
      lensError('BAD_CHECKPOINT', /cut\.bin is not a readable zip archive/),
    );
  });
});
