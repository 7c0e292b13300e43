// The safetensors reader against the fixtures and against files that are truncated, inconsistent or hostile.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '../../../src/core/checkpoint/safetensors';
import { FIXTURE_CASES, FIXTURES, floatBytes, safetensorsBytes } from './support/checkpoint-files';
import { lensError } from '../../support/lens-error';

describe('safetensors reader', () => {
  for (const name of FIXTURE_CASES) {
    it(`reads every tensor of ${name} as listed in reference.json`, () => {
      const reference = JSON.parse(readFileSync(join(FIXTURES, name, 'reference.json'), 'utf8')) as {
        tensor_names: string[];
        num_parameters: number;
      };
      const tensors = readSafetensors(readFileSync(join(FIXTURES, name, 'model.safetensors')), name);
      assert.deepEqual([...tensors.keys()].sort(), [...reference.tensor_names].sort());
      let parameters = 0;
      for (const { tensor, sourceDtype } of tensors.values()) {
        assert.equal(sourceDtype, 'F32');
        assert.equal(tensor.dtype, 'float32');
        assert.equal(
          tensor.data.length,
          tensor.shape.reduce((a, b) => a * b, 1),
        );
        parameters += tensor.data.length;
      }
      assert.equal(parameters, reference.num_parameters);
    });
  }

  it('reads values, shapes and I64 tensors from a hand-made file', () => {
    const data = Buffer.concat([floatBytes([1.5, -2, 3.25, 0]), Buffer.from(new BigInt64Array([7n, -9n]).buffer)]);
    const file = safetensorsBytes(
      {
        __metadata__: { format: 'pt' },
        w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
        ids: { dtype: 'I64', shape: [2], data_offsets: [16, 32] },
      },
      data,
    );
    const tensors = readSafetensors(file, 'hand.safetensors');
    const w = tensors.get('w')!.tensor;
    assert.deepEqual(w.shape, [2, 2]);
    assert.deepEqual([...(w.data as Float32Array)], [1.5, -2, 3.25, 0]);
    const ids = tensors.get('ids')!;
    assert.equal(ids.sourceDtype, 'I64');
    assert.equal(ids.tensor.dtype, 'int64');
    assert.deepEqual([...ids.tensor.data], [7n, -9n]);
  });

  it('views aligned float32 data without copying it, and copies misaligned data', () => {
    // The JSON header length decides the data's alignment; pad it to a multiple of 4 by hand.
    const header = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const padded = header.padEnd(Math.ceil(header.length / 4) * 4, ' ');
    const file = Buffer.concat([Buffer.alloc(8), Buffer.from(padded), floatBytes([1, 2])]);
    file.writeBigUInt64LE(BigInt(padded.length));
    assert.equal((file.byteOffset + 8 + padded.length) % 4, 0);
    const view = readSafetensors(file, 'aligned').get('w')!.tensor.data;
    assert.equal(view.buffer, file.buffer, 'an aligned tensor shares the file buffer');
    assert.deepEqual([...view], [1, 2]);

    const shifted = Buffer.concat([Buffer.alloc(1), file]).subarray(1);
    assert.notEqual((shifted.byteOffset + 8 + padded.length) % 4, 0);
    const copy = readSafetensors(shifted, 'misaligned').get('w')!.tensor.data;
    assert.notEqual(copy.buffer, shifted.buffer, 'a misaligned tensor is copied');
    assert.deepEqual([...copy], [1, 2]);
  });

  it('widens F16 and BF16 to float32', () => {
    // float16 0x3c00 = 1, 0xc000 = -2, 0x3555 ≈ 0.33325, 0x7c00 = +inf; bfloat16 0x3f80 = 1, 0x4049 = 3.140625.
    const f16 = Buffer.from(new Uint16Array([0x3c00, 0xc000, 0x3555, 0x7c00]).buffer);
    const bf16 = Buffer.from(new Uint16Array([0x3f80, 0x4049]).buffer);
    const file = safetensorsBytes(
      {
        half: { dtype: 'F16', shape: [4], data_offsets: [0, 8] },
        brain: { dtype: 'BF16', shape: [2], data_offsets: [8, 12] },
      },
      Buffer.concat([f16, bf16]),
    );
    const tensors = readSafetensors(file, 'half');
    assert.equal(tensors.get('half')!.sourceDtype, 'F16');
    assert.deepEqual([...tensors.get('half')!.tensor.data], [1, -2, Math.fround(0.33325195), Infinity]);
    assert.equal(tensors.get('brain')!.sourceDtype, 'BF16');
    assert.deepEqual([...tensors.get('brain')!.tensor.data], [1, 3.140625]);
  });

  it('refuses a file shorter than the header length field', () => {
    assert.throws(
      () => readSafetensors(Buffer.from([1, 2, 3]), 'tiny.safetensors'),
      lensError('BAD_CHECKPOINT', /tiny\.safetensors.*3 bytes/),
    );
  });

  it('refuses a header length larger than the file', () => {
    const file = safetensorsBytes({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, floatBytes([1]), 9_000_000_000_000_000_000n);
    assert.throws(
      () => readSafetensors(file, 'big.safetensors'),
      lensError('BAD_CHECKPOINT', /header length 9000000000000000000 exceeds the file size/),
    );
  });

  it('refuses a truncated file whose data ends early', () => {
    const file = safetensorsBytes({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, floatBytes([1, 2, 3, 4]));
    assert.throws(
      () => readSafetensors(file.subarray(0, file.length - 5), 'cut.safetensors'),
      lensError('BAD_CHECKPOINT', /"w".*beyond the 11 bytes of data/),
    );
  });

  it('refuses a header that is not JSON', () => {
    const file = Buffer.concat([Buffer.alloc(8), Buffer.from('{"w": [')]);
    file.writeBigUInt64LE(7n);
    assert.throws(() => readSafetensors(file, 'garbled'), lensError('BAD_CHECKPOINT', /header is not valid UTF-8 JSON/));
  });

  it('refuses offsets outside the data', () => {
    const file = safetensorsBytes({ w: { dtype: 'F32', shape: [1], data_offsets: [100, 104] } }, floatBytes([1]));
    assert.throws(() => readSafetensors(file, 'far'), lensError('BAD_CHECKPOINT', /"w" has data_offsets \[100, 104\] beyond the 4 bytes/));
  });

  it('refuses overlapping tensors', () => {
    const file = safetensorsBytes(
      {
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
      },
      floatBytes([1, 2, 3]),
    );
    assert.throws(() => readSafetensors(file, 'overlap'), lensError('BAD_CHECKPOINT', /"a" and "b" overlap/));
  });

  it('refuses a size that disagrees with dtype and shape', () => {
    const file = safetensorsBytes({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, floatBytes([1, 2]));
    assert.throws(
      () => readSafetensors(file, 'size'),
      lensError('BAD_CHECKPOINT', /"w" spans 8 bytes but dtype F32 and shape \[3\] need 12/),
    );
  });

  it('refuses an unknown dtype, naming it and the tensor', () => {
    const file = safetensorsBytes({ mask: { dtype: 'U8', shape: [4], data_offsets: [0, 4] } }, new Uint8Array(4));
    assert.throws(() => readSafetensors(file, 'u8'), lensError('BAD_CHECKPOINT', /"mask" has dtype U8/));
  });

  it('refuses malformed shapes and offsets', () => {
    const bad = [
      { w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } },
      { w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } },
      { w: { dtype: 'F32', shape: [1], data_offsets: [0] } },
      { w: 'F32' },
    ];
    for (const header of bad) {
      assert.throws(() => readSafetensors(safetensorsBytes(header, floatBytes([1])), 'odd'), lensError('BAD_CHECKPOINT', /"w"/));
    }
  });

  it('keeps a tensor named __proto__ as a plain entry', () => {
    const file = safetensorsBytes(JSON.parse('{"__proto__": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}'), floatBytes([5]));
    const tensors = readSafetensors(file, 'proto');
    assert.deepEqual([...tensors.get('__proto__')!.tensor.data], [5]);
    assert.equal(({} as Record<string, unknown>)['dtype'], undefined);
  });
});
