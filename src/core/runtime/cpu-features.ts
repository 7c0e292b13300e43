// The vector instruction sets of this CPU that decide which onnxruntime kernels run: AVX2 or AVX-512 for float32,
// VNNI or AMX for int8 (without VNNI, the uint8 × int8 product adds pairs in int16, hence the 7-bit weights of
// graph/longformer/weights.ts). The CPU's name does not tell them apart (a cloud VM reports "AMD EPYC" on hosts with
// and without AVX-512), so the saved optimized graphs, whose prepacked weights follow the kernel, are keyed by these
// too, and `bench` records them beside its numbers.
// Read from /proc/cpuinfo on Linux: Node has no API for them. Elsewhere the list is empty (unknown).
import { readFileSync } from 'node:fs';

/** The flags worth knowing, in the spelling of /proc/cpuinfo, in a fixed order. */
const KERNEL_FLAGS = [
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
  'avx512_fp16',
  'amx_tile',
  'amx_int8',
  'amx_bf16',
  // ARM (Linux calls the dot-product instructions asimddp)
  'asimd',
  'asimddp',
  'i8mm',
  'sve',
] as const;

/** Of the flags `bench` and the graph cache care about, those in `cpuinfo` (the text of /proc/cpuinfo). */
export function kernelFlags(cpuinfo: string): string[] {
  // x86 lists them as "flags : ...", ARM as "Features : ..."; the first processor speaks for all of them.
  const line = /^(?:flags|Features)\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '';
  const present = new Set(line.trim().split(/\s+/));
  return KERNEL_FLAGS.filter((flag) => present.has(flag));
}

let cached: readonly string[] | undefined;

/** This machine's kernel flags; empty where they cannot be read (not Linux). */
export function cpuKernelFlags(): readonly string[] {
  if (cached === undefined) {
    try {
      cached = process.platform === 'linux' ? kernelFlags(readFileSync('/proc/cpuinfo', 'utf8')) : [];
    } catch {
      cached = [];
    }
  }
  return cached;
}
