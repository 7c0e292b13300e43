// Multinomial logistic regression with L2 regularisation, fitted deterministically: the mean cross-entropy plus
// (l2 / 2) * |W|^2 (the bias is not penalised) is minimised by accelerated gradient descent (FISTA with backtracking
// and adaptive restart, Beck & Teboulle 2009; O'Donoghue & Candès 2015) from zero weights. The problem is convex, so
// the same data and strength always give the same head. Features are standardised for the fit (the strength then
// means the same for every feature) and the scaling is folded back into the weights, so the result applies to raw
// features.
// Written here because no well-kept npm package fits: ml-logistic-regression (mljs) trains one-vs-rest binary
// models with a fixed learning rate, without an intercept or L2 penalty, and the other packages are abandoned or
// binary only. The whole fit is ~150 lines of plain loops over a few hundred examples.

export interface LinearHead {
  readonly classes: number;
  readonly dims: number;
  /** (classes, dims), row-major. */
  readonly weight: Float64Array;
  readonly bias: Float64Array;
}

export interface FitOptions {
  /** L2 strength on the standardised features. */
  readonly l2: number;
  readonly maxIterations?: number;
  /** Stop when the gradient's largest entry falls below this. */
  readonly tolerance?: number;
}

/** W x + b for one example. */
export function headLogits(head: LinearHead, x: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(head.bias);
  for (let c = 0; c < head.classes; c += 1) {
    let sum = 0;
    const row = c * head.dims;
    for (let d = 0; d < head.dims; d += 1) sum += head.weight[row + d]! * x[d]!;
    out[c]! += sum;
  }
  return out;
}

export function predictClass(head: LinearHead, x: ArrayLike<number>): number {
  const logits = headLogits(head, x);
  let best = 0;
  for (let c = 1; c < logits.length; c += 1) if (logits[c]! > logits[best]!) best = c;
  return best;
}

/** Fits on `features` (one row per example, all the same length) with class indices `targets` in [0, classes). */
export function fitLogisticRegression(
  features: readonly ArrayLike<number>[],
  targets: readonly number[],
  classes: number,
  options: FitOptions,
): LinearHead {
  const n = features.length;
  const dims = features[0]?.length ?? 0;
  if (n === 0 || targets.length !== n) throw new Error('internal: fitLogisticRegression needs one target per example');
  const { mean, scale } = standardisation(features, dims);
  const x = new Float64Array(n * dims);
  features.forEach((row, i) => {
    for (let d = 0; d < dims; d += 1) x[i * dims + d] = (row[d]! - mean[d]!) / scale[d]!;
  });
  const problem: Problem = { x, targets, n, dims, classes, l2: options.l2 };
  const size = classes * (dims + 1); // weights, then biases
  let w: Float64Array = new Float64Array(size);
  let y: Float64Array = Float64Array.from(w);
  let fw = objective(problem, w, undefined);
  let t = 1;
  let lipschitz = 1;
  const gradient = new Float64Array(size);
  const tolerance = options.tolerance ?? 1e-6;
  for (let iteration = 0; iteration < (options.maxIterations ?? 2000); iteration += 1) {
    const fy = objective(problem, y, gradient);
    let largest = 0;
    let squared = 0;
    for (const g of gradient) {
      largest = Math.max(largest, Math.abs(g));
      squared += g * g;
    }
    if (largest < tolerance) {
      w = y;
      break;
    }
    // Backtracking: the largest step 1/L with sufficient decrease.
    let next: Float64Array;
    let fNext: number;
    for (;;) {
      next = Float64Array.from(y, (value, i) => value - gradient[i]! / lipschitz);
      fNext = objective(problem, next, undefined);
      if (fNext <= fy - squared / (2 * lipschitz) + 1e-12 * Math.abs(fy)) break;
      lipschitz *= 2;
    }
    if (fNext > fw) {
      // Adaptive restart: momentum overshot, start again from the better point.
      t = 1;
      y = Float64Array.from(w);
      continue;
    }
    const tNext = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    const momentum = (t - 1) / tNext;
    y = Float64Array.from(next, (value, i) => value + momentum * (value - w[i]!));
    const change = fw - fNext;
    w = next;
    fw = fNext;
    t = tNext;
    lipschitz *= 0.9; // let the step grow back
    if (change >= 0 && change < 1e-12 * Math.max(1, Math.abs(fw))) break;
  }
  // Fold the standardisation in: W (x - mean) / scale + b = (W / scale) x + (b - W mean / scale).
  const weight = new Float64Array(classes * dims);
  const bias = new Float64Array(classes);
  for (let c = 0; c < classes; c += 1) {
    let shift = 0;
    for (let d = 0; d < dims; d += 1) {
      const value = w[c * dims + d]! / scale[d]!;
      weight[c * dims + d] = value;
      shift += value * mean[d]!;
    }
    bias[c] = w[classes * dims + c]! - shift;
  }
  return { classes, dims, weight, bias };
}

interface Problem {
  readonly x: Float64Array;
  readonly targets: readonly number[];
  readonly n: number;
  readonly dims: number;
  readonly classes: number;
  readonly l2: number;
}

/** Mean cross-entropy + l2/2 |W|^2 at `w`; writes the gradient into `gradient` when given. */
function objective(p: Problem, w: Float64Array, gradient: Float64Array | undefined): number {
  const { x, n, dims, classes } = p;
  gradient?.fill(0);
  let loss = 0;
  const logits = new Float64Array(classes);
  for (let i = 0; i < n; i += 1) {
    const row = i * dims;
    let max = -Infinity;
    for (let c = 0; c < classes; c += 1) {
      let sum = w[classes * dims + c]!;
      for (let d = 0; d < dims; d += 1) sum += w[c * dims + d]! * x[row + d]!;
      logits[c] = sum;
      max = Math.max(max, sum);
    }
    let total = 0;
    for (let c = 0; c < classes; c += 1) total += Math.exp(logits[c]! - max);
    const logZ = max + Math.log(total);
    const target = p.targets[i]!;
    loss += logZ - logits[target]!;
    if (gradient === undefined) continue;
    for (let c = 0; c < classes; c += 1) {
      const residual = (Math.exp(logits[c]! - logZ) - (c === target ? 1 : 0)) / n;
      for (let d = 0; d < dims; d += 1) gradient[c * dims + d]! += residual * x[row + d]!;
      gradient[classes * dims + c]! += residual;
    }
  }
  let penalty = 0;
  for (let k = 0; k < classes * dims; k += 1) {
    penalty += w[k]! * w[k]!;
    if (gradient !== undefined) gradient[k]! += p.l2 * w[k]!;
  }
  return loss / n + (p.l2 / 2) * penalty;
}

/** Per-dimension mean and standard deviation; a constant dimension keeps scale 1 (it carries no information). */
function standardisation(features: readonly ArrayLike<number>[], dims: number): { mean: Float64Array; scale: Float64Array } {
  const mean = new Float64Array(dims);
  const scale = new Float64Array(dims);
  for (const row of features) for (let d = 0; d < dims; d += 1) mean[d]! += row[d]! / features.length;
  for (const row of features) for (let d = 0; d < dims; d += 1) scale[d]! += (row[d]! - mean[d]!) ** 2 / features.length;
  for (let d = 0; d < dims; d += 1) scale[d] = scale[d]! > 1e-12 ? Math.sqrt(scale[d]!) : 1;
  return { mean, scale };
}
