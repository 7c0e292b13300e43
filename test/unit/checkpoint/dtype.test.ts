// Half-precision widening against values worked out by hand from the IEEE 754 / bfloat16 bit layouts.
import { strict as assert } from 'node:assert';
import { bfloat16ToFloat32, decodeTensor, halfToFloat32 } from '../../../src/core/checkpoint/dtype';

describe('dtype conversion', () => {
  it('widens float16 normals, subnormals, zeros, infinities and NaN', () => {
    const cases: Array<[number, number]> = [
      [0x0000, 0],
      [0x8000, -0],
      [0x3c00, 1],
      [0xc000, -2],
      [0x3800, 0.5],
      [0x3555, 0.333251953125],
      [0x7bff, 65504], // largest finite
      [0x0400, 2 ** -14], // smallest normal
      [0x03ff, 1023 * 2 ** -24], // largest subnormal
      [0x0001, 2 ** -24], // smallest subnormal
      [0x7c00, Infinity],
      [0xfc00, -Infinity],
    ];
    const out = halfToFloat32(Uint16Array.from(cases.map(([bits]) => bits)));
    cases.forEach(([bits, value], i) => assert.ok(Object.is(out[i], value), `0x${bits.toString(16)} → ${out[i]}, expected ${value}`));
    assert.ok(Number.isNaN(halfToFloat32(Uint16Array.from([0x7e00]))[0]));
  });

  it('widens bfloat16 exactly by shifting into the high half', () => {
    const cases: Array<[number, number]> = [
      [0x3f80, 1],
      [0xc000, -2],
      [0x4049, 3.140625],
      [0x3e80, 0.25],
      [0x8000, -0],
      [0x0001, 2 ** -133], // float32 subnormal 0x00010000
      [0x7f7f, 3.3895313892515355e38], // largest finite
      [0x7f80, Infinity],
      [0xff80, -Infinity],
    ];
    const out = bfloat16ToFloat32(Uint16Array.from(cases.map(([bits]) => bits)));
    cases.forEach(([bits, value], i) => assert.ok(Object.is(out[i], value), `0x${bits.toString(16)} → ${out[i]}, expected ${value}`));
    assert.ok(Number.isNaN(bfloat16ToFloat32(Uint16Array.from([0x7fc0]))[0]));
  });

  it('decodes little-endian bytes of every source dtype into engine tensors', () => {
    const f16 = decodeTensor(Uint8Array.from([0x00, 0x3c, 0x00, 0xc0]), 'F16', [2]);
    assert.deepEqual([f16.dtype, [...f16.data]], ['float32', [1, -2]]);
    const bf16 = decodeTensor(Uint8Array.from([0x80, 0x3f, 0x49, 0x40]), 'BF16', [2]);
    assert.deepEqual([bf16.dtype, [...bf16.data]], ['float32', [1, 3.140625]]);
    const f32 = decodeTensor(new Uint8Array(Float32Array.from([0.1, -7]).buffer), 'F32', [2]);
    assert.deepEqual([...f32.data], [Math.fround(0.1), -7]);
    const i64 = decodeTensor(new Uint8Array(BigInt64Array.from([-3n, 2n ** 40n]).buffer), 'I64', [2]);
    assert.deepEqual([i64.dtype, [...i64.data]], ['int64', [-3n, 2n ** 40n]]);
  });

  it('decodes half types at odd byte offsets', () => {
    const bytes = Uint8Array.from([0xff, 0x00, 0x3c, 0x80, 0x3f]).subarray(1);
    assert.deepEqual([...decodeTensor(bytes.subarray(0, 2), 'F16', [1]).data], [1]);
    assert.deepEqual([...decodeTensor(bytes.subarray(2, 4), 'BF16', [1]).data], [1]);
  });
});
