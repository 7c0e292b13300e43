// The legacy (pre-1.6) torch.save reader: files written by the tests' own writer (support/legacy-writer.ts) with
// shared storages, offsets, transposed views, view_metadata and every supported dtype read back exactly; float32
// storages are views over the file; hostile files are refused by name before anything is allocated.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPytorchBin } from '../../../src/core/checkpoint/pytorch';
import { readSafetensors } from '../../../src/core/checkpoint/safetensors';
import { encodeLegacyShared, FIXTURE_CASES, FIXTURES, floatBytes, type RawTensor } from './support/checkpoint-files';
import { legacyTorchFile, type LegacyStorage, type LegacyTensor } from './support/legacy-writer';
import { PickleWriter } from './support/pickle-writer';
import { lensError } from '../../support/lens-error';

function fixtureTensors(name: string): Map<string, RawTensor> {
  const tensors = readSafetensors(readFileSync(join(FIXTURES, name, 'model.safetensors')), name);
  return new Map(
    [...tensors].map(([key, { tensor }]) => [
      key,
      { dtype: 'F32', shape: tensor.shape, bytes: new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength) },
    ]),
  );
}

/** The file in a buffer of its own with 8 spare bytes after it, as loadCheckpoint reads weight files. */
function withSpareBytes(file: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(new ArrayBuffer(file.byteLength + 8), 0, file.byteLength);
  buffer.set(file);
  return buffer;
}

const float = (key: string, values: readonly number[]): LegacyStorage => ({
  key,
  storageType: 'FloatStorage',
  numel: values.length,
  bytes: floatBytes(values),
});

describe('legacy torch.save reader', () => {
  for (const name of FIXTURE_CASES) {
    it(`reads ${name} rewritten with shared storages, a transposed weight and views, bit-identical`, async () => {
      const original = fixtureTensors(name);
      const file = withSpareBytes(encodeLegacyShared(original, 64));
      const tensors = await readPytorchBin(file, `${name}.bin`, { spareBytesAfter: 8 });
      const prefix = name === 'base-tiny' ? '' : 'longformer.';
      assert.deepEqual([...tensors.keys()].sort(), [...original.keys(), `${prefix}embeddings.position_ids`].sort());
      for (const [tensorName, raw] of original) {
        const { tensor, sourceDtype } = tensors.get(tensorName)!;
        assert.equal(sourceDtype, 'F32');
        assert.deepEqual(tensor.shape, raw.shape, tensorName);
        const bytes = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
        assert.ok(bytes.equals(raw.bytes), `${tensorName} differs`);
        // Contiguous float32 views are aligned (the storages were moved into place) and never copied.
        if (!tensorName.endsWith('query.weight')) assert.equal(tensor.data.buffer, file.buffer, `${tensorName} was copied`);
      }
      const positions = tensors.get(`${prefix}embeddings.position_ids`)!.tensor;
      assert.equal(positions.dtype, 'int64');
      assert.deepEqual(positions.data.slice(0, 3), BigInt64Array.from([0n, 1n, 2n]));
    });
  }

  it('reads the same values without spare bytes, copying the unaligned storages instead', async () => {
    const original = fixtureTensors('cls-tiny');
    const file = encodeLegacyShared(original, 64);
    const copy = Buffer.from(file);
    const tensors = await readPytorchBin(file, 'cls.bin');
    for (const [tensorName, raw] of original) {
      const { tensor } = tensors.get(tensorName)!;
      assert.ok(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength).equals(raw.bytes), tensorName);
    }
    assert.ok(copy.equals(file), 'the caller’s buffer was changed without spare bytes being offered');
    // The storages of this file start unaligned, so the aligned views of the test above came from the move.
    assert.ok([...tensors.values()].some(({ tensor }) => tensor.data.buffer !== file.buffer));
  });

  it('follows offsets, strides and view_metadata into shared storages', async () => {
    const storage = float('7', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const tensors = await readPytorchBin(
      legacyTorchFile([
        { name: 't', storage, shape: [4, 3], stride: [1, 4] },
        { name: 'row', storage, offset: 4, shape: [4], parameter: true },
        { name: 'every-other', storage, offset: 1, shape: [2, 2], stride: [6, 2] },
        // A storage view of elements 6..11; the tensor starts 2 into the view.
        { name: 'in-view', storage, view: { key: '99', offset: 6, numel: 6 }, offset: 2, shape: [2, 2], stride: [1, 2] },
      ]),
      'strided.bin',
    );
    assert.deepEqual([...tensors.get('t')!.tensor.data], [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    assert.deepEqual([...tensors.get('row')!.tensor.data], [4, 5, 6, 7]);
    assert.deepEqual([...tensors.get('every-other')!.tensor.data], [1, 3, 7, 9]);
    assert.deepEqual([...tensors.get('in-view')!.tensor.data], [8, 10, 9, 11]);
  });

  it('reads Float, Half, BFloat16, Double (narrowed), Long, Int and Bool storages', async () => {
    const storage = (key: string, storageType: string, bytes: Uint8Array, numel: number): LegacyStorage => ({
      key,
      storageType,
      numel,
      bytes,
    });
    const entries: LegacyTensor[] = [
      { name: 'f32', storage: float('0', [1.5, -2]), shape: [2] },
      {
        name: 'f16',
        storage: storage('1', 'HalfStorage', new Uint8Array(new Uint16Array([0x3c00, 0xbc00, 0x0001]).buffer), 3),
        shape: [3],
      },
      { name: 'bf16', storage: storage('2', 'BFloat16Storage', new Uint8Array(new Uint16Array([0xc040, 0x3e80]).buffer), 2), shape: [2] },
      { name: 'f64', storage: storage('3', 'DoubleStorage', new Uint8Array(new Float64Array([0.1, 1e300, -3]).buffer), 3), shape: [3] },
      { name: 'i64', storage: storage('4', 'LongStorage', new Uint8Array(new BigInt64Array([5n, -(2n ** 40n)]).buffer), 2), shape: [2] },
      { name: 'i32', storage: storage('5', 'IntStorage', new Uint8Array(new Int32Array([7, -8]).buffer), 2), shape: [2] },
      { name: 'bool', storage: storage('6', 'BoolStorage', Uint8Array.from([1, 0, 1]), 3), shape: [3] },
    ];
    const tensors = await readPytorchBin(withSpareBytes(legacyTorchFile(entries)), 'dtypes.bin', { spareBytesAfter: 8 });
    const values = (name: string): unknown[] => [...tensors.get(name)!.tensor.data];
    assert.deepEqual(values('f32'), [1.5, -2]);
    assert.deepEqual(values('f16'), [1, -1, 2 ** -24]);
    assert.deepEqual(values('bf16'), [-3, 0.25]);
    assert.deepEqual(values('f64'), [Math.fround(0.1), Infinity, -3]);
    assert.equal(tensors.get('f64')!.sourceDtype, 'F64');
    assert.deepEqual(values('i64'), [5n, -(2n ** 40n)]);
    assert.deepEqual(values('i32'), [7n, -8n]);
    assert.deepEqual(values('bool'), [1n, 0n, 1n]);
    assert.deepEqual(
      ['f32', 'f16', 'bf16', 'f64', 'i64', 'i32', 'bool'].map((name) => tensors.get(name)!.sourceDtype),
      ['F32', 'F16', 'BF16', 'F64', 'I64', 'I32', 'BOOL'],
    );
  });

  it('keeps tied views of one storage as one array', async () => {
    const storage = float('1', [1, 2, 3, 4]);
    const tensors = await readPytorchBin(
      legacyTorchFile([
        { name: 'embeddings', storage, shape: [2, 2] },
        { name: 'decoder', storage, shape: [2, 2], parameter: true },
      ]),
      'tied.bin',
    );
    assert.equal(tensors.get('embeddings')!.tensor, tensors.get('decoder')!.tensor);
  });

  describe('refuses hostile files by name', () => {
    const w = { name: 'w', storage: float('1', [1, 2, 3, 4]), shape: [4] } satisfies LegacyTensor;
    const cases: Array<[string, Uint8Array, RegExp]> = [
      [
        'a bad magic number',
        legacyTorchFile([w], { magic: 0x1950a86a20f9469cfc6dn }),
        /bad\.bin is a bare pickle, not a torch\.save checkpoint/,
      ],
      [
        'a wrong protocol version',
        legacyTorchFile([w], { protocolVersion: 1002 }),
        /protocol version is 1002, where torch\.save writes 1001/,
      ],
      ['a big-endian writer', legacyTorchFile([w], { littleEndian: false }), /saved on a big-endian machine/],
      [
        'an element count past the end of the file',
        legacyTorchFile([w], { truncateTo: legacyTorchFile([w]).length - 1 }),
        /storage 1 needs 16 bytes from byte \d+, past the end of the file/,
      ],
      [
        'a count cut off',
        legacyTorchFile([w], { truncateTo: legacyTorchFile([w]).length - 20 }),
        /the file ends at byte \d+, before the element count of storage 1/,
      ],
      [
        'a count that disagrees with the pickle',
        legacyTorchFile([w], { counts: new Map([['1', 2n ** 62n]]) }),
        /storage 1 holds 4611686018427387904 elements at byte \d+, but the state dict says 4/,
      ],
      [
        'a key list without a used storage',
        legacyTorchFile([w], { keys: [] }),
        /storage 1 is used by a tensor but is not in the file's storage list/,
      ],
      ['a key list naming an unused storage', legacyTorchFile([w], { keys: ['1', '2'] }), /storage 2 is listed but no tensor uses it/],
      ['duplicate keys', legacyTorchFile([w], { keys: ['1', '1'] }), /storage 1 is listed twice/],
      [
        'a storage that claims 2^40 elements',
        legacyTorchFile([{ name: 'w', storage: { ...float('1', [1]), numel: 2 ** 40 }, shape: [2 ** 40] }]),
        /storage 1 needs 4398046511104 bytes from byte \d+, past the end of the file at \d+/,
      ],
      [
        'a view past the end of its storage',
        legacyTorchFile([{ name: 'w', storage: float('1', [1, 2]), view: { key: 'v', offset: 1, numel: 4 }, shape: [4] }]),
        /a view of 4 elements at offset 1 does not fit storage 1 of 2/,
      ],
      [
        'a tensor past the end of its storage',
        legacyTorchFile([{ name: 'w', storage: float('1', [1, 2, 3, 4]), offset: 2, shape: [2, 2] }]),
        /tensor "w" \[2, 2\] at offset 2 .* reaches element 5 of a storage of 4/,
      ],
    ];
    for (const [label, file, pattern] of cases) {
      it(label, async () => {
        await assert.rejects(readPytorchBin(withSpareBytes(file), 'bad.bin', { spareBytesAfter: 8 }), lensError('BAD_CHECKPOINT', pattern));
      });
    }

    const legacyPrefix = (): Buffer => {
      const full = legacyTorchFile([]);
      // magic + protocol version + sys_info: everything before the (empty) state dict pickle.
      const stateDict = new PickleWriter()
        .proto(2)
        .global('collections', 'OrderedDict')
        .put(0)
        .emptyTuple()
        .reduce()
        .put(1)
        .mark()
        .setitems()
        .stop()
        .toBytes();
      const keys = new PickleWriter().proto(2).emptyList().put(0).mark().op(0x65).stop().toBytes();
      return full.subarray(0, full.length - stateDict.length - keys.length);
    };
    const globals: Array<[string, string, string]> = [
      ['os', 'system', 'rm -rf ~'],
      ['builtins', 'eval', '__import__("os")'],
      ['subprocess', 'Popen', 'sh'],
      ['torch', 'load', 'x'],
    ];
    for (const [module, name, argument] of globals) {
      it(`a state dict that calls ${module}.${name}`, async () => {
        const evil = new PickleWriter().proto(2).global(module, name).unicode(argument).op(0x85).reduce().stop().toBytes();
        const file = Buffer.concat([legacyPrefix(), evil, new PickleWriter().proto(2).emptyList().stop().toBytes()]);
        await assert.rejects(readPytorchBin(file, 'evil.bin'), lensError('UNSAFE_PICKLE', new RegExp(`evil\\.bin.*${module}\\.${name}`)));
      });
    }

    it('a global in the sys_info or key-list pickles, which hold plain data only', async () => {
      const magic = new PickleWriter().proto(2).int(0x1950a86a20f9469cfc6cn).stop().toBytes();
      const version = new PickleWriter().proto(2).int(1001).stop().toBytes();
      const evil = new PickleWriter().proto(2).global('os', 'system').unicode('id').op(0x85).reduce().stop().toBytes();
      await assert.rejects(readPytorchBin(Buffer.concat([magic, version, evil]), 'evil.bin'), lensError('UNSAFE_PICKLE', /os\.system/));
      const full = Buffer.concat([legacyPrefix(), new PickleWriter().proto(2).emptyDict().stop().toBytes(), evil]);
      await assert.rejects(readPytorchBin(full, 'evil.bin'), lensError('UNSAFE_PICKLE', /os\.system/));
    });
  });
});
