// Rounding a layer's weights to int8 so that the layer's outputs, not its weights, stay close: GPTQ's error feedback
// (Frantar et al. 2022, "GPTQ: Accurate Post-Training Quantization for Generative Pre-trained Transformers",
// algorithm 1). Input features are rounded one after another; each one's rounding error, weighted by how the layer's
// inputs correlate (their Gram matrix XᵀX over calibration tokens), is pushed onto the features not yet rounded, which
// absorb it. Here the features go in independent groups of at most 64 with a 64 × 64 Gram block each (block-diagonal
// XᵀX): that keeps the linear algebra small enough for plain TypeScript at build time (about 3 s for a base model),
// and on the 12-layer synthetic classifier it cut the weights' share of int8's logit error from 1.0-1.5 % to
// 0.5-0.6 % of the logit range (int7 weights; bench/README.md).
// No npm library implements this rounding; the small dense Cholesky factorizations it needs are written out below
// rather than taken from a general matrix library, for 64 × 64 blocks.

/** Input features per Gram block: the largest divisor of the layer's input width up to this. */
export const MAX_GROUP_SIZE = 64;

/**
 * Damping added to each Gram block's diagonal, as a fraction of its mean (GPTQ's default): keeps the factorization
 * stable where inputs are nearly collinear.
 */
const DAMPING = 0.01;

/** The input features per Gram block for a layer with `inFeatures` inputs. */
export function groupSize(inFeatures: number): number {
  for (let size = Math.min(MAX_GROUP_SIZE, inFeatures); size > 1; size -= 1) if (inFeatures % size === 0) return size;
  return 1;
}

/** Lower Cholesky factor L of a symmetric positive definite n × n matrix (row-major): a = L Lᵀ. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let sum = a[i * n + j] ?? 0;
      for (let k = 0; k < j; k += 1) sum -= (l[i * n + k] ?? 0) * (l[j * n + k] ?? 0);
      if (i === j) {
        if (!(sum > 0)) throw new Error(`cholesky: the matrix is not positive definite (pivot ${i}: ${sum})`);
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / (l[j * n + j] ?? 1);
    }
  }
  return l;
}

/** The inverse of a lower triangular n × n matrix (row-major), itself lower triangular. */
function invertLower(l: Float64Array, n: number): Float64Array {
  const inverse = new Float64Array(n * n);
  for (let j = 0; j < n; j += 1) {
    inverse[j * n + j] = 1 / (l[j * n + j] ?? 1);
    for (let i = j + 1; i < n; i += 1) {
      let sum = 0;
      for (let k = j; k < i; k += 1) sum += (l[i * n + k] ?? 0) * (inverse[k * n + j] ?? 0);
      inverse[i * n + j] = -sum / (l[i * n + i] ?? 1);
    }
  }
  return inverse;
}

/**
 * GPTQ's factor for one group: the upper triangular U with Uᵀ U = (H + λI)⁻¹, H the group's Gram block (n × n,
 * row-major). Inputs that never fire (a zero diagonal) get a diagonal of 1, as in GPTQ, so they round to nearest.
 */
export function inverseCholeskyUpper(gram: Float32Array | Float64Array, n: number): Float64Array {
  const h = Float64Array.from(gram);
  let trace = 0;
  for (let i = 0; i < n; i += 1) trace += h[i * n + i] ?? 0;
  const damping = (DAMPING * trace) / n;
  for (let i = 0; i < n; i += 1) h[i * n + i] = (h[i * n + i] ?? 0) === 0 ? 1 : (h[i * n + i] ?? 0) + damping;
  const lowerInverse = invertLower(cholesky(h, n), n);
  // (L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹
  const inverse = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let sum = 0;
      for (let k = i; k < n; k += 1) sum += (lowerInverse[k * n + i] ?? 0) * (lowerInverse[k * n + j] ?? 0);
      inverse[i * n + j] = sum;
      inverse[j * n + i] = sum;
    }
  }
  const lower = cholesky(inverse, n);
  const upper = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) for (let j = i; j < n; j += 1) upper[i * n + j] = lower[j * n + i] ?? 0;
  return upper;
}

/**
 * Rounds a transposed weight matrix `weightT` ([inFeatures, outFeatures], row-major: one row per input feature) to
 * integers in [-levels, levels] (levels at most 127) with one scale per output column (max |column| / levels, as nearest rounding uses),
 * with GPTQ's error feedback inside each group of `groupSize(inFeatures)` input features. `gram` holds the groups'
 * Gram blocks of the layer's inputs one after another ([inFeatures / g, g, g]).
 */
export function roundWithErrorFeedback(
  weightT: Float32Array,
  inFeatures: number,
  outFeatures: number,
  levels: number,
  gram: Float32Array,
): { q: Int8Array; scale: Float32Array } {
  const g = groupSize(inFeatures);
  if (gram.length !== inFeatures * g) {
    throw new Error(`roundWithErrorFeedback: ${gram.length} Gram values for ${inFeatures} inputs in groups of ${g}`);
  }
  const scale = columnScales(weightT, inFeatures, outFeatures, levels);
  const q = new Int8Array(inFeatures * outFeatures);
  const rows = new Float64Array(g * outFeatures);
  const error = new Float64Array(outFeatures);
  for (let first = 0; first < inFeatures; first += g) {
    const u = inverseCholeskyUpper(gram.subarray(first * g, (first + g) * g), g);
    for (let i = 0; i < g * outFeatures; i += 1) rows[i] = weightT[first * outFeatures + i] ?? 0;
    for (let j = 0; j < g; j += 1) {
      const pivot = u[j * g + j] ?? 1;
      const row = j * outFeatures;
      const target = (first + j) * outFeatures;
      for (let c = 0; c < outFeatures; c += 1) {
        const w = rows[row + c] ?? 0;
        const s = scale[c] ?? 1;
        const level = Math.max(-levels, Math.min(levels, Math.round(w / s)));
        q[target + c] = level;
        error[c] = (w - level * s) / pivot;
      }
      for (let k = j + 1; k < g; k += 1) {
        const weight = u[j * g + k] ?? 0;
        if (weight === 0) continue;
        const later = k * outFeatures;
        for (let c = 0; c < outFeatures; c += 1) rows[later + c] = (rows[later + c] ?? 0) - (error[c] ?? 0) * weight;
      }
    }
  }
  return { q, scale };
}

/** Per output column of a [rows, cols] matrix: max |column| / levels (1 for an all-zero column). */
export function columnScales(data: Float32Array, rows: number, cols: number, levels: number): Float32Array {
  const scale = new Float32Array(cols);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) scale[c] = Math.max(scale[c] ?? 0, Math.abs(data[r * cols + c] ?? 0));
  }
  for (let c = 0; c < cols; c += 1) scale[c] = (scale[c] ?? 0) === 0 ? 1 : (scale[c] ?? 1) / levels;
  return scale;
}
