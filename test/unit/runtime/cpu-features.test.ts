// The CPU instruction sets that choose onnxruntime's kernels, read from /proc/cpuinfo's text.
import { strict as assert } from 'node:assert';
import { cpuKernelFlags, kernelFlags } from '../../../src/core/runtime/cpu-features';

const X86_AVX512 = `processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
flags\t\t: fpu vme sse sse2 avx avx2 fma f16c avx512f avx512dq avx512bw avx512vl avx_vnni avx512_vnni avx512_bf16 sha_ni
bugs\t\t: sysret_ss_attrs

processor\t: 1
flags\t\t: fpu vme sse sse2 avx avx2 fma f16c avx512f avx512dq avx512bw avx512vl avx_vnni avx512_vnni avx512_bf16 sha_ni
`;

const X86_AVX2 = `model name\t: AMD EPYC
flags\t\t: fpu sse sse2 avx avx2 fma f16c bmi2
`;

const ARM = `processor\t: 0
BogoMIPS\t: 50.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp
CPU implementer\t: 0x41
`;

describe('kernelFlags', () => {
  it('lists the AVX-512 and VNNI flags of an x86 CPU, in a fixed order, ignoring the others', () => {
    assert.deepEqual(kernelFlags(X86_AVX512), [
      'avx',
      'avx2',
      'fma',
      'f16c',
      'avx512f',
      'avx512bw',
      'avx512vl',
      'avx512_vnni',
      'avx_vnni',
      'avx512_bf16',
    ]);
  });

  it('tells two CPUs of the same name apart (an AVX2-only host)', () => {
    assert.deepEqual(kernelFlags(X86_AVX2), ['avx', 'avx2', 'fma', 'f16c']);
    assert.notDeepEqual(kernelFlags(X86_AVX2), kernelFlags(X86_AVX512));
  });

  it("reads an ARM CPU's Features line", () => {
    assert.deepEqual(kernelFlags(ARM), ['asimd', 'asimddp']);
  });

  it('gives an empty list for text without a flags line', () => {
    assert.deepEqual(kernelFlags(''), []);
    assert.deepEqual(kernelFlags('model name\t: something\n'), []);
  });

  it('reads this machine once and keeps the answer', () => {
    const first = cpuKernelFlags();
    assert.equal(cpuKernelFlags(), first);
    if (process.platform === 'linux' && process.arch === 'x64') assert.ok(first.includes('avx'), `flags: ${first.join(' ')}`);
  });
});
