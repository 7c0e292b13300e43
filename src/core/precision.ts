// The numeric precision a model runs in. fp32 is the reference (HuggingFace parity to 1e-4) and the default; fp16
// halves weights and matmuls on GPU providers whose adapter supports it; int8 quantizes the dense layers' weights for
// the CPU. The precision asked for and the one that ran can differ (no fp16 on the CPU, no int8 on a GPU provider):
// results say which one ran.

export type Precision = 'fp32' | 'fp16' | 'int8';

export const PRECISIONS: readonly Precision[] = ['fp32', 'fp16', 'int8'];

export function isPrecision(value: string): value is Precision {
  return (PRECISIONS as readonly string[]).includes(value);
}
