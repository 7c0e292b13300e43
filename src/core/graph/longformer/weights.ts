// Checkpoint tensors turned into graph initializers, in the layouts the graph multiplies with. The checkpoint
// loader has already checked names and shapes; the checks here only guard the layouts this file derives.
import { LensError } from '../../errors';
import type { FloatTensor, StateDict } from '../../checkpoint/tensor';
import { formatShape } from '../../checkpoint/tensor';
import type { GraphBuilder, Value } from '../builder';
import type { Precision } from '../../precision';
import { makeTensor } from '../tensor-data';
import { columnScales, groupSize, roundWithErrorFeedback } from '../int8/error-feedback-rounding';

/** A linear layer y = x Wᵀ + b with W stored transposed ([in, out]) so the graph is one MatMul and one Add. */
export interface Linear {
  readonly weightT: Value;
  readonly bias: Value;
  /** Calibration graphs: also output the Gram blocks of this layer's inputs (`inFeatures` wide) as `name`. */
  readonly gramOutput?: { readonly name: string; readonly inFeatures: number };
}

/**
 * A linear layer for int8 inference: W stored transposed ([in, out]) as 8-bit integers with one scale (and, for
 * uint8, one zero point) per output column, run by onnxruntime's DynamicQuantizeMatMul (the activations are
 * quantized per run, per tensor, to uint8).
 */
export interface QuantizedLinear {
  readonly weightQ: Value;
  readonly scale: Value;
  readonly zeroPoint: Value | null;
  readonly bias: Value;
}

/** The encoder's dense layers, by role. */
export type DenseRole = 'qkv' | 'attention-output' | 'ffn-in' | 'ffn-out';

/**
 * How int8 precision quantizes. bench/int8-schemes.ts measures the alternatives side by side (bench/README.md).
 * - `int7`: int8 weights in [-63, 63]. On x86 CPUs without VNNI, onnxruntime's uint8 × int8 kernel adds pairs of
 *   products in int16 (vpmaddubsw), which saturates for 8-bit weights (2 · 255 · 127 > 32767) but not for 7-bit
 *   ones (onnxruntime's quantization guide, "reduce_range").
 * - `int8`: int8 weights in [-127, 127], for x86 CPUs with VNNI (AVX-512 VNNI or AVX-VNNI), whose uint8 × int8
 *   instruction (vpdpbusd) accumulates in int32 and cannot saturate: twice the weight levels of `int7`.
 * - `uint8`: uint8 weights with zero point 128, [-127, 127] around it: onnxruntime's uint8 × uint8 kernel widens to
 *   int16 before multiplying (vpmaddwd), so all 8 bits are usable without saturation.
 */
export interface Int8Scheme {
  readonly weights: 'int7' | 'int8' | 'uint8';
  /** The dense layers quantized; the others stay float32. */
  readonly roles: readonly DenseRole[];
  /** Encoder layers kept entirely in float32. */
  readonly fp32Layers: readonly number[];
}

/** The scheme `--precision int8` builds (the measurements behind it: bench/README.md). */
export const INT8_SCHEME: Int8Scheme = { weights: 'int7', roles: ['attention-output', 'ffn-in', 'ffn-out'], fp32Layers: [] };

/**
 * The accuracy cost of int8 the tests hold the engine and its exports to: the largest |int8 - fp32| classification
 * logit, as a fraction of the row's fp32 logit range. Each input is one draw of the quantization noise: with weights
 * rounded by error feedback (int8-calibration.ts), 8-bit activations dominate it, and the random-weight test models
 * measured 0.72-2.07 % (2-layer model with base-sized layers, 4 inputs), 1.45 % (cls-tiny) and 0.31-2.14 %
 * (12-layer full-size model, 8 inputs; 1.12-2.52 % with nearest rounding). bench/README.md has the measurements.
 */
export const INT8_LOGIT_BOUND = 0.03;

/** Symmetric per-column quantization of a [rows, cols] matrix: q = round(w / scale), scale = max|column| / levels. */
export function quantizePerColumn(data: Float32Array, rows: number, cols: number, levels: number): { q: Int32Array; scale: Float32Array } {
  const scale = columnScales(data, rows, cols, levels);
  const q = new Int32Array(rows * cols);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) q[r * cols + c] = Math.round((data[r * cols + c] ?? 0) / (scale[c] ?? 1));
  }
  return { q, scale };
}

/**
 * What an int8 graph is built from besides the weights: for each quantized dense layer (by its name, the parts'
 * prefixes joined by '+'), the Gram blocks of its inputs over calibration tokens (int8/error-feedback-rounding.ts),
 * measured by the float32 graph built with `gramOutputs` (runtime/int8-calibration.ts).
 */
export type Int8Calibration = ReadonlyMap<string, Float32Array>;

/** What the names of a calibration graph's Gram outputs start with; the layer's name follows. */
export const GRAM_OUTPUT_PREFIX = 'calibration_gram.';

/** How GraphWeights treats the layers int8 quantizes. */
export interface Int8Build {
  readonly scheme: Int8Scheme;
  /** int8: round with error feedback from these Gram blocks; absent: round to nearest (benchmarks compare both). */
  readonly calibration?: Int8Calibration;
  /** fp32 calibration graph: each layer int8 would quantize also outputs its inputs' Gram blocks. */
  readonly gramOutputs?: boolean;
}

/**
 * Layers rounded with error feedback, per calibration: a cache entry's three graph variants share one calibration,
 * and each layer is rounded once for all three (it takes seconds for a base model).
 */
const roundedLayers = new WeakMap<Int8Calibration, Map<string, { q: Int8Array; scale: Float32Array }>>();

function roundedOnce(
  calibration: Int8Calibration,
  key: string,
  round: () => { q: Int8Array; scale: Float32Array },
): { q: Int8Array; scale: Float32Array } {
  let layers = roundedLayers.get(calibration);
  if (layers === undefined) {
    layers = new Map<string, { q: Int8Array; scale: Float32Array }>();
    roundedLayers.set(calibration, layers);
  }
  let rounded = layers.get(key);
  if (rounded === undefined) layers.set(key, (rounded = round()));
  return rounded;
}

export class GraphWeights {
  constructor(
    private readonly b: GraphBuilder,
    private readonly dict: StateDict,
    /** int8: the encoder's dense layers (denseLinear) are quantized as `int8` says; everything else stays float32. */
    private readonly precision: Precision = 'fp32',
    private readonly int8: Int8Build = { scheme: INT8_SCHEME },
  ) {}

  /**
   * An encoder dense layer (query/key/value, attention output, FFN in and out) of encoder layer `layer`: quantized
   * when the precision is int8 and the scheme quantizes its role there, else the same as `fusedLinear`.
   */
  denseLinear(
    role: DenseRole,
    layer: number,
    parts: readonly { prefix: string; scale?: number }[],
    inFeatures: number,
    outFeatures: number,
  ): Linear | QuantizedLinear {
    const { scheme, calibration, gramOutputs } = this.int8;
    const name = parts.map((part) => part.prefix).join('+');
    const quantizable = scheme.roles.includes(role) && !scheme.fp32Layers.includes(layer);
    if (this.precision !== 'int8' || !quantizable) {
      const linear = this.fusedLinear(parts, inFeatures, outFeatures);
      return gramOutputs === true && quantizable ? { ...linear, gramOutput: { name: `${GRAM_OUTPUT_PREFIX}${name}`, inFeatures } } : linear;
    }
    const { weightT, bias } = this.transposedParts(parts, inFeatures, outFeatures);
    const total = bias.length;
    const unsigned = scheme.weights === 'uint8';
    const levels = scheme.weights === 'int7' ? 63 : 127;
    const gram = calibration?.get(name);
    if (calibration !== undefined && gram === undefined) {
      throw new LensError('WEIGHTS_MISMATCH', `The int8 calibration has no Gram blocks for ${name}.`);
    }
    const { q, scale } =
      calibration === undefined || gram === undefined
        ? quantizePerColumn(weightT, inFeatures, total, levels)
        : roundedOnce(calibration, `${name}:${levels}`, () => roundWithErrorFeedback(weightT, inFeatures, total, levels, gram));
    const weightQ = unsigned
      ? this.b.initializer(
          `${name}.weight_t_uint8`,
          makeTensor(
            'uint8',
            [inFeatures, total],
            Uint8Array.from(q, (v) => v + 128),
          ),
        )
      : this.b.initializer(`${name}.weight_t_int8`, makeTensor('int8', [inFeatures, total], Int8Array.from(q)));
    return {
      weightQ,
      scale: this.b.initializer(`${name}.weight_scale`, makeTensor('float32', [total], scale)),
      zeroPoint: unsigned
        ? this.b.initializer(`${name}.weight_zero_point`, makeTensor('uint8', [total], new Uint8Array(total).fill(128)))
        : null,
      bias: this.b.initializer(`${name}.bias`, makeTensor('float32', [total], bias)),
    };
  }

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
    return this.fusedLinear([{ prefix, scale }], inFeatures, outFeatures);
  }

  /** Several linears over the same input fused into one ([in, sum(out)]), e.g. query/key/value. */
  fusedLinear(parts: readonly { prefix: string; scale?: number }[], inFeatures: number, outFeatures: number): Linear {
    const { weightT, bias } = this.transposedParts(parts, inFeatures, outFeatures);
    const name = parts.map((part) => part.prefix).join('+');
    return {
      weightT: this.b.initializer(`${name}.weight_t`, makeTensor('float32', [inFeatures, weightT.length / inFeatures], weightT)),
      bias: this.b.initializer(`${name}.bias`, makeTensor('float32', [bias.length], bias)),
    };
  }

  /** The parts' weights transposed side by side ([in, parts · out]) and their biases, each scaled by its `scale`. */
  private transposedParts(
    parts: readonly { prefix: string; scale?: number }[],
    inFeatures: number,
    outFeatures: number,
  ): { weightT: Float32Array; bias: Float32Array } {
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
    return { weightT, bias };
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

export function applyLinear(b: GraphBuilder, x: Value, linear: Linear | QuantizedLinear): Value {
  if ('weightQ' in linear) return b.contribNode('DynamicQuantizeMatMul', [x, linear.weightQ, linear.scale, linear.zeroPoint, linear.bias]);
  if (linear.gramOutput !== undefined) outputGramBlocks(b, x, linear.gramOutput);
  return b.add(b.matMul(x, linear.weightT), linear.bias);
}

/**
 * Calibration graphs: the Gram blocks XᵀX of a layer's inputs x (B, P, in) over all B·P rows, one per group of
 * groupSize(in) input features, as the output `name` (in / g, g, g).
 */
function outputGramBlocks(b: GraphBuilder, x: Value, output: { readonly name: string; readonly inFeatures: number }): void {
  const { name, inFeatures } = output;
  const g = groupSize(inFeatures);
  const rows = b.reshape(x, [-1, inFeatures / g, g]); // (N, in / g, g)
  const gram = b.matMul(b.transpose(rows, [1, 2, 0]), b.transpose(rows, [1, 0, 2])); // (in / g, g, g)
  b.output(gram, name, 'float32', [inFeatures / g, g, g]);
}
