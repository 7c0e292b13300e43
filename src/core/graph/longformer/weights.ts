// Checkpoint tensors turned into graph initializers, in the layouts the graph multiplies with. The checkpoint
// loader has already checked names and shapes; the checks here only guard the layouts this file derives.
import { LensError } from '../../errors';
import type { FloatTensor, StateDict } from '../../checkpoint/tensor';
import { formatShape } from '../../checkpoint/tensor';
import type { GraphBuilder, Value } from '../builder';
import { makeTensor } from '../tensor-data';

/** A linear layer y = x Wᵀ + b with W stored transposed ([in, out]) so the graph is one MatMul and one Add. */
export interface Linear {
  readonly weightT: Value;
  readonly bias: Value;
}

export class GraphWeights {
  constructor(
    private readonly b: GraphBuilder,
    private readonly dict: StateDict,
  ) {}

  has(name: string): boolean {
    return this.dict.has(name);
  }

  /** The stored shape of `name`, for sizes the config does not give (number of labels). */
  shapeOf(name: string): readonly number[] {
    const tensor = this.dict.get(name);
    if (tensor === undefined) throw new LensError('WEIGHTS_MISMATCH', `The checkpoint has no tensor "${name}".`);
    return tensor.shape;
  }

  /** The float32 tensor `name`, which must have `shape`. */
  tensor(name: string, shape: readonly number[]): FloatTensor {
    const tensor = this.dict.get(name);
    if (tensor === undefined) throw new LensError('WEIGHTS_MISMATCH', `The checkpoint has no tensor "${name}".`);
    if (tensor.dtype !== 'float32') throw new LensError('WEIGHTS_MISMATCH', `Tensor "${name}" is ${tensor.dtype}, expected float32.`);
    if (tensor.shape.length !== shape.length || tensor.shape.some((dim, i) => dim !== shape[i])) {
      throw new LensError('WEIGHTS_MISMATCH', `Tensor "${name}" has shape ${formatShape(tensor.shape)}, expected ${formatShape(shape)}.`);
    }
    return tensor;
  }

  /** A stored tensor as an initializer, unchanged. */
  constant(name: string, shape: readonly number[]): Value {
    return this.b.initializer(name, makeTensor('float32', shape, this.tensor(name, shape).data));
  }

  /**
   * `prefix.weight` ([out, in]) and `prefix.bias` as a Linear, both multiplied by `scale` (used to fold the
   * 1/sqrt(head_dim) query scaling into the projection).
   */
  linear(prefix: string, inFeatures: number, outFeatures: number, scale = 1): Linear {
    const weight = this.tensor(`${prefix}.weight`, [outFeatures, inFeatures]).data;
    const bias = this.tensor(`${prefix}.bias`, [outFeatures]).data;
    return {
      weightT: this.b.initializer(
        `${prefix}.weight_t`,
        makeTensor('float32', [inFeatures, outFeatures], transposeMatrix(weight, outFeatures, inFeatures, scale)),
      ),
      bias: this.b.initializer(`${prefix}.bias`, makeTensor('float32', [outFeatures], scaled(bias, scale))),
    };
  }

  /** Several linears over the same input fused into one ([in, sum(out)]), e.g. query/key/value. */
  fusedLinear(parts: readonly { prefix: string; scale?: number }[], inFeatures: number, outFeatures: number): Linear {
    const total = outFeatures * parts.length;
    const weightT = new Float32Array(inFeatures * total);
    const bias = new Float32Array(total);
    parts.forEach((part, index) => {
      const scale = part.scale ?? 1;
      const weight = this.tensor(`${part.prefix}.weight`, [outFeatures, inFeatures]).data;
      const partBias = this.tensor(`${part.prefix}.bias`, [outFeatures]).data;
      for (let o = 0; o < outFeatures; o += 1) {
        const column = index * outFeatures + o;
        for (let i = 0; i < inFeatures; i += 1) weightT[i * total + column] = (weight[o * inFeatures + i] ?? 0) * scale;
        bias[column] = (partBias[o] ?? 0) * scale;
      }
    });
    const name = parts.map((part) => part.prefix).join('+');
    return {
      weightT: this.b.initializer(`${name}.weight_t`, makeTensor('float32', [inFeatures, total], weightT)),
      bias: this.b.initializer(`${name}.bias`, makeTensor('float32', [total], bias)),
    };
  }

  /** A raw float32 initializer computed here (derived layouts). */
  derived(name: string, dims: readonly number[], data: Float32Array): Value {
    return this.b.initializer(name, makeTensor('float32', dims, data));
  }
}

export function transposeMatrix(data: Float32Array, rows: number, cols: number, scale = 1): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) out[c * rows + r] = (data[r * cols + c] ?? 0) * scale;
  }
  return out;
}

function scaled(data: Float32Array, scale: number): Float32Array {
  return scale === 1 ? data : data.map((value) => value * scale);
}

export function applyLinear(b: GraphBuilder, x: Value, linear: Linear): Value {
  return b.add(b.matMul(x, linear.weightT), linear.bias);
}
