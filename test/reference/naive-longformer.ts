// A deliberately naive Longformer, written to be obviously right rather than fast: every token's attention is
// computed against every key with an explicit Longformer mask, in float64. It is the judge of the ONNX engine
// (test/integration/engine-random.test.ts), and is itself proven against HuggingFace's outputs in
// naive-longformer.test.ts. Semantics follow HuggingFace's modeling_longformer.py (transformers 4.22):
//   - masks merge as attention_mask * (global_attention_mask + 1): 0 padding, 1 local, 2 global;
//   - a local token attends to the global keys plus the keys of its (dilated) window that are neither padding nor
//     global, all in one softmax, through the ordinary query/key/value projections;
//   - a global token's row is recomputed with query_global/key_global/value_global over every non-padding token;
//   - padding rows attend to nothing (their attention output is zero, HF zeroes their probabilities).
// It does not pad the sequence internally: real tokens' outputs do not depend on trailing masked padding, and
// layoutGlobalAttentions() reproduces the one place where HF's padded length shows (global_attentions).
import type { LongformerConfig } from '../../src/core/checkpoint/config';
import type { FloatTensor, StateDict } from '../../src/core/checkpoint/tensor';
import { formatShape } from '../../src/core/checkpoint/tensor';
import type { ModelInputs, OutputName } from '../../src/core/runtime/engine';

export interface NaiveGlobalAttentions {
  readonly batchSize: number;
  readonly numHeads: number;
  readonly seqLen: number;
  /** x: the largest number of global tokens in one row of the batch (> 0). */
  readonly maxNumGlobal: number;
  /** Global tokens per row; columns at and beyond a row's count are filler in HF's layout. */
  readonly globalCounts: readonly number[];
  /** Per layer: (batch, heads, x, seqLen), row j = the j-th global token's distribution over the given positions. */
  readonly probs: readonly Float64Array[];
}

export interface NaiveOutputs {
  /** HF's outputs for the config's head: last_hidden_state + pooler_output, logits (classification, token
   * classification, masked LM), or start/end logits. */
  readonly tensors: ReadonlyMap<OutputName, FloatTensor>;
  /** The encoder output, whatever the head: (batch, seqLen, hidden). */
  readonly lastHiddenState: FloatTensor;
  /** Per layer: (batch, heads, seqLen, x + attention_window + 1), HF's layout. */
  readonly attentions: readonly FloatTensor[];
  /** Undefined when no row of the batch has a global token (HF returns no global_attentions then). */
  readonly globalAttentions: NaiveGlobalAttentions | undefined;
}

/** The sequence length HF pads to before the encoder: the next multiple of the largest window. */
export function huggingFacePaddedLength(seqLen: number, config: LongformerConfig): number {
  const multiple = Math.max(...config.attentionWindow);
  return Math.ceil(seqLen / multiple) * multiple;
}

/**
 * HF's global_attentions for a batch padded to `paddedSeqLen`: per layer (batch, heads, paddedSeqLen, x). Column j
 * of a row is that row's j-th global token's distribution over every position (0 on padding, and so 0 on the
 * internal padding beyond seqLen). Rows with fewer than x global tokens get filler columns: HF sets all of those
 * scores to the float minimum, and the softmax of equal scores is uniform over all padded positions.
 */
export function layoutGlobalAttentions(global: NaiveGlobalAttentions, paddedSeqLen: number): FloatTensor[] {
  const { batchSize, numHeads, seqLen, maxNumGlobal: x } = global;
  if (paddedSeqLen < seqLen) throw new Error(`padded length ${paddedSeqLen} is shorter than the sequence (${seqLen})`);
  return global.probs.map((probs) => {
    // (batch, heads, paddedSeqLen, x)
    const data = new Float32Array(batchSize * numHeads * paddedSeqLen * x);
    for (let b = 0; b < batchSize; b++) {
      const count = global.globalCounts[b] ?? 0;
      for (let h = 0; h < numHeads; h++) {
        for (let j = 0; j < x; j++) {
          for (let p = 0; p < paddedSeqLen; p++) {
            const value = j >= count ? 1 / paddedSeqLen : p < seqLen ? at(probs, ((b * numHeads + h) * x + j) * seqLen + p) : 0;
            data[((b * numHeads + h) * paddedSeqLen + p) * x + j] = value;
          }
        }
      }
    }
    return floatTensor([batchSize, numHeads, paddedSeqLen, x], data);
  });
}

/** Runs the model on one batch. `weights` uses canonical names (no `longformer.` prefix). */
export function naiveLongformer(config: LongformerConfig, weights: StateDict, inputs: ModelInputs): NaiveOutputs {
  const model = new NaiveModel(config, weights);
  const { batchSize, seqLen } = inputs;
  for (const [name, array] of [
    ['inputIds', inputs.inputIds],
    ['attentionMask', inputs.attentionMask],
    ['globalAttentionMask', inputs.globalAttentionMask],
  ] as const) {
    if (array.length !== batchSize * seqLen) throw new Error(`${name} has ${array.length} entries, expected ${batchSize * seqLen}`);
  }

  const rows: EncodedRow[] = [];
  for (let b = 0; b < batchSize; b++) {
    const ids: number[] = [];
    const mask: number[] = [];
    for (let i = 0; i < seqLen; i++) {
      const k = b * seqLen + i;
      const attention = Number(inputs.attentionMask[k]);
      const global = Number(inputs.globalAttentionMask[k]);
      if ((attention !== 0 && attention !== 1) || (global !== 0 && global !== 1)) {
        throw new Error(`masks must be 0 or 1 (row ${b}, position ${i})`);
      }
      ids.push(Number(inputs.inputIds[k]));
      // HF: attention_mask * (global_attention_mask + 1), so a global flag on padding has no effect.
      mask.push(attention * (global + 1));
    }
    rows.push(model.encodeRow(ids, mask));
  }

  const x = Math.max(0, ...rows.map((row) => row.globals.length));
  const hidden = config.hiddenSize;
  const numHeads = config.numAttentionHeads;

  const lastHidden = new Float32Array(batchSize * seqLen * hidden);
  rows.forEach((row, b) => lastHidden.set(row.hidden, b * seqLen * hidden));
  const lastHiddenState = floatTensor([batchSize, seqLen, hidden], lastHidden);

  const attentions = config.attentionWindow.map((window, layer) => {
    const w = window / 2;
    const width = x + window + 1;
    // (batch, heads, seqLen, x + window + 1)
    const data = new Float32Array(batchSize * numHeads * seqLen * width);
    rows.forEach((row, b) => {
      const attention = row.layers[layer];
      if (attention === undefined) throw new Error(`layer ${layer} missing`);
      const g = row.globals.length;
      for (let h = 0; h < numHeads; h++) {
        for (let i = 0; i < seqLen; i++) {
          const base = ((b * numHeads + h) * seqLen + i) * width;
          for (let c = 0; c < g; c++) data[base + c] = at(attention.toGlobalKeys, (h * seqLen + i) * g + c);
          for (let k = -w; k <= w; k++) data[base + x + w + k] = at(attention.window, (h * seqLen + i) * (window + 1) + (k + w));
        }
      }
    });
    return floatTensor([batchSize, numHeads, seqLen, width], data);
  });

  let globalAttentions: NaiveGlobalAttentions | undefined;
  if (x > 0) {
    const probs = config.attentionWindow.map((_, layer) => {
      // (batch, heads, x, seqLen); unused columns stay 0 and are replaced by filler in layoutGlobalAttentions.
      const data = new Float64Array(batchSize * numHeads * x * seqLen);
      rows.forEach((row, b) => {
        const attention = row.layers[layer];
        if (attention === undefined) throw new Error(`layer ${layer} missing`);
        const g = row.globals.length;
        for (let h = 0; h < numHeads; h++) {
          for (let c = 0; c < g; c++) {
            for (let p = 0; p < seqLen; p++) {
              data[((b * numHeads + h) * x + c) * seqLen + p] = at(attention.fromGlobalRows, (h * g + c) * seqLen + p);
            }
          }
        }
      });
      return data;
    });
    globalAttentions = { batchSize, numHeads, seqLen, maxNumGlobal: x, globalCounts: rows.map((row) => row.globals.length), probs };
  }

  return { tensors: model.heads(lastHiddenState), lastHiddenState, attentions, globalAttentions };
}

/**
 * erf(x) to about 1e-15 absolute, in two regimes (no polynomial fits, so there are no magic coefficients to get
 * wrong):
 *   |x| < 3: the everywhere-convergent series erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (2n+1)!!
 *            (Abramowitz & Stegun 7.1.6); every term is positive, so there is no cancellation;
 *   |x| >= 3: erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) (A&S 7.1.14), a continued
 *            fraction evaluated bottom-up from a fixed depth, which converges fast for large x.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const a = Math.abs(x);
  let result: number;
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 200; n++) {
      term *= (2 * a * a) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    result = (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
  } else {
    let tail = a;
    for (let k = 80; k >= 1; k--) tail = a + k / 2 / tail;
    result = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / tail;
  }
  return x < 0 ? -result : result;
}

// ---------------------------------------------------------------------------------------------------------------

interface LayerAttention {
  /** (heads, seqLen, window + 1): a local row's probability for each window slot k = -w..w (0 where masked). */
  readonly window: Float64Array;
  /** (heads, seqLen, g): a local row's probability for each of the row's global keys. */
  readonly toGlobalKeys: Float64Array;
  /** (heads, g, seqLen): each global token's distribution over all positions. */
  readonly fromGlobalRows: Float64Array;
}

interface EncodedRow {
  readonly hidden: Float64Array; // (seqLen, hidden)
  readonly globals: readonly number[]; // positions with merged mask 2, increasing
  readonly layers: readonly LayerAttention[];
}

interface Linear {
  readonly weight: Float32Array; // [out, in]
  readonly bias: Float32Array; // [out]
  readonly inFeatures: number;
  readonly outFeatures: number;
}

interface Norm {
  readonly gain: Float32Array;
  readonly bias: Float32Array;
}

class NaiveModel {
  private readonly hidden: number;
  private readonly numHeads: number;
  private readonly headDim: number;

  constructor(
    private readonly config: LongformerConfig,
    private readonly weights: StateDict,
  ) {
    this.hidden = config.hiddenSize;
    this.numHeads = config.numAttentionHeads;
    this.headDim = config.hiddenSize / config.numAttentionHeads;
    if (config.attentionWindow.length !== config.numHiddenLayers || config.attentionDilation.length !== config.numHiddenLayers) {
      throw new Error('attentionWindow and attentionDilation need one entry per layer');
    }
  }

  encodeRow(ids: readonly number[], mask: readonly number[]): EncodedRow {
    const n = ids.length;
    const globals = mask.flatMap((value, i) => (value === 2 ? [i] : []));
    let hidden = this.embed(ids);
    const layers: LayerAttention[] = [];
    for (let layer = 0; layer < this.config.numHiddenLayers; layer++) {
      const { output, attention } = this.encoderLayer(layer, hidden, mask, globals, n);
      hidden = output;
      layers.push(attention);
    }
    return { hidden, globals, layers };
  }

  /** word + position + token type (0) embeddings, then LayerNorm. */
  private embed(ids: readonly number[]): Float64Array {
    const { padTokenId, vocabSize, maxPositionEmbeddings } = this.config;
    const h = this.hidden;
    const words = this.tensor('embeddings.word_embeddings.weight', [vocabSize, h]);
    const positions = this.tensor('embeddings.position_embeddings.weight', [maxPositionEmbeddings, h]);
    const types = this.tensor('embeddings.token_type_embeddings.weight', [this.config.typeVocabSize, h]);
    const norm = this.norm('embeddings.LayerNorm');
    const out = new Float64Array(ids.length * h);
    // RoBERTa position ids come from input_ids != pad (not from the attention mask): pad + running count of
    // non-pad tokens for real tokens, pad itself for <pad>.
    let nonPad = 0;
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new Error(`token id ${id} is outside the vocabulary`);
      let position = padTokenId;
      if (id !== padTokenId) {
        nonPad += 1;
        position = padTokenId + nonPad;
      }
      if (position >= maxPositionEmbeddings) throw new Error(`position id ${position} >= max_position_embeddings`);
      for (let c = 0; c < h; c++) out[i * h + c] = at(words, id * h + c) + at(positions, position * h + c) + at(types, c);
    });
    return layerNorm(out, ids.length, h, norm, this.config.layerNormEps);
  }

  private encoderLayer(
    layer: number,
    hidden: Float64Array,
    mask: readonly number[],
    globals: readonly number[],
    n: number,
  ): { output: Float64Array; attention: LayerAttention } {
    const prefix = `encoder.layer.${layer}`;
    const { context, attention } = this.selfAttention(layer, hidden, mask, globals, n);
    const attended = addInPlace(linear(context, n, this.linear(`${prefix}.attention.output.dense`)), hidden);
    const h1 = layerNorm(attended, n, this.hidden, this.norm(`${prefix}.attention.output.LayerNorm`), this.config.layerNormEps);
    const intermediate = linear(h1, n, this.linear(`${prefix}.intermediate.dense`)).map((v) => this.activation(v));
    const ffn = addInPlace(linear(intermediate, n, this.linear(`${prefix}.output.dense`)), h1);
    const output = layerNorm(ffn, n, this.hidden, this.norm(`${prefix}.output.LayerNorm`), this.config.layerNormEps);
    return { output, attention };
  }

  /** Returns the per-token context vectors (n, hidden), heads concatenated, and the attention probabilities. */
  private selfAttention(
    layer: number,
    hidden: Float64Array,
    mask: readonly number[],
    globals: readonly number[],
    n: number,
  ): { context: Float64Array; attention: LayerAttention } {
    const prefix = `encoder.layer.${layer}.attention.self`;
    const window = this.config.attentionWindow[layer] ?? 0;
    const dilation = this.config.attentionDilation[layer] ?? 1;
    const w = window / 2;
    const dh = this.headDim;
    const h = this.hidden;
    const g = globals.length;
    // HF scales the query (bias included) by 1/sqrt(head_dim) before any score is taken.
    const scale = 1 / Math.sqrt(dh);
    const query = linear(hidden, n, this.linear(`${prefix}.query`)).map((v) => v * scale);
    const key = linear(hidden, n, this.linear(`${prefix}.key`));
    const value = linear(hidden, n, this.linear(`${prefix}.value`));

    const context = new Float64Array(n * h);
    const windowProbs = new Float64Array(this.numHeads * n * (window + 1));
    const toGlobalKeys = new Float64Array(this.numHeads * n * g);
    const fromGlobalRows = new Float64Array(this.numHeads * g * n);
    const dot = (a: Float64Array, i: number, b: Float64Array, j: number, head: number): number => {
      let sum = 0;
      for (let c = head * dh; c < (head + 1) * dh; c++) sum += at(a, i * h + c) * at(b, j * h + c);
      return sum;
    };

    // Local rows: the row's global keys, then the window keys that are neither padding nor global.
    for (let head = 0; head < this.numHeads; head++) {
      for (let i = 0; i < n; i++) {
        if (mask[i] !== 1) continue; // padding rows stay zero; global rows are recomputed below
        const keys: number[] = [...globals];
        const slots: number[] = globals.map(() => -1);
        for (let k = -w; k <= w; k++) {
          const j = i + dilation * k;
          if (j >= 0 && j < n && mask[j] === 1) {
            keys.push(j);
            slots.push(k + w);
          }
        }
        const probs = softmax(keys.map((j) => dot(query, i, key, j, head)));
        probs.forEach((p, s) => {
          const j = keys[s] ?? 0;
          const slot = slots[s] ?? -1;
          if (slot < 0) toGlobalKeys[(head * n + i) * g + s] = p;
          else windowProbs[(head * n + i) * (window + 1) + slot] = p;
          for (let c = head * dh; c < (head + 1) * dh; c++) context[i * h + c] = at(context, i * h + c) + p * at(value, j * h + c);
        });
      }
    }

    // Global rows: their own projections, over every non-padding position.
    if (g > 0) {
      const globalHidden = new Float64Array(g * h);
      globals.forEach((position, r) => globalHidden.set(hidden.subarray(position * h, (position + 1) * h), r * h));
      const globalQuery = linear(globalHidden, g, this.linear(`${prefix}.query_global`)).map((v) => v * scale);
      const globalKey = linear(hidden, n, this.linear(`${prefix}.key_global`));
      const globalValue = linear(hidden, n, this.linear(`${prefix}.value_global`));
      const attended: number[] = [];
      for (let j = 0; j < n; j++) if (mask[j] !== 0) attended.push(j);
      for (let head = 0; head < this.numHeads; head++) {
        globals.forEach((position, r) => {
          const probs = softmax(attended.map((j) => dot(globalQuery, r, globalKey, j, head)));
          for (let c = head * dh; c < (head + 1) * dh; c++) context[position * h + c] = 0;
          probs.forEach((p, s) => {
            const j = attended[s] ?? 0;
            fromGlobalRows[(head * g + r) * n + j] = p;
            for (let c = head * dh; c < (head + 1) * dh; c++) {
              context[position * h + c] = at(context, position * h + c) + p * at(globalValue, j * h + c);
            }
          });
        });
      }
    }
    return { context, attention: { window: windowProbs, toGlobalKeys, fromGlobalRows } };
  }

  /** The task head, with HF's output names and shapes. */
  heads(lastHiddenState: FloatTensor): Map<OutputName, FloatTensor> {
    const [batch = 0, seqLen = 0, h = 0] = lastHiddenState.shape;
    const states = Float64Array.from(lastHiddenState.data);
    const firstTokens = new Float64Array(batch * h);
    for (let b = 0; b < batch; b++) firstTokens.set(states.subarray(b * seqLen * h, b * seqLen * h + h), b * h);
    const out = new Map<OutputName, FloatTensor>();
    switch (this.config.head) {
      case 'base': {
        out.set('last_hidden_state', lastHiddenState);
        if (this.weights.has('pooler.dense.weight')) {
          const pooled = linear(firstTokens, batch, this.linear('pooler.dense')).map(Math.tanh);
          out.set('pooler_output', floatTensor([batch, h], Float32Array.from(pooled)));
        }
        break;
      }
      case 'sequence-classification': {
        // LongformerClassificationHead: dense + tanh + out_proj on token 0.
        const dense = linear(firstTokens, batch, this.linear('classifier.dense')).map(Math.tanh);
        const projection = this.linear('classifier.out_proj');
        const logits = linear(dense, batch, projection);
        out.set('logits', floatTensor([batch, projection.outFeatures], Float32Array.from(logits)));
        break;
      }
      case 'question-answering': {
        const projection = this.linear('qa_outputs');
        if (projection.outFeatures !== 2) throw new Error(`qa_outputs has ${projection.outFeatures} outputs, expected 2`);
        const logits = linear(states, batch * seqLen, projection);
        const start = new Float32Array(batch * seqLen);
        const end = new Float32Array(batch * seqLen);
        for (let t = 0; t < batch * seqLen; t++) {
          start[t] = at(logits, 2 * t);
          end[t] = at(logits, 2 * t + 1);
        }
        out.set('start_logits', floatTensor([batch, seqLen], start));
        out.set('end_logits', floatTensor([batch, seqLen], end));
        break;
      }
      case 'token-classification': {
        const projection = this.linear('classifier');
        const logits = linear(states, batch * seqLen, projection);
        out.set('logits', floatTensor([batch, seqLen, projection.outFeatures], Float32Array.from(logits)));
        break;
      }
      case 'masked-lm': {
        // LongformerLMHead: dense, exact GELU (whatever hidden_act says), layer_norm, then the decoder tied to the
        // word embeddings, with lm_head.bias as its bias.
        const dense = linear(states, batch * seqLen, this.linear('lm_head.dense')).map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
        const normed = layerNorm(dense, batch * seqLen, h, this.norm('lm_head.layer_norm'), this.config.layerNormEps);
        const decoder = this.linear('lm_head.decoder');
        const logits = linear(normed, batch * seqLen, decoder);
        out.set('logits', floatTensor([batch, seqLen, decoder.outFeatures], Float32Array.from(logits)));
        break;
      }
    }
    return out;
  }

  private activation(v: number): number {
    switch (this.config.hiddenAct) {
      case 'gelu':
        return 0.5 * v * (1 + erf(v / Math.SQRT2));
      case 'gelu_new':
        return 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
      case 'relu':
        return Math.max(0, v);
      case 'tanh':
        return Math.tanh(v);
    }
  }

  private tensor(name: string, shape: readonly number[]): Float32Array {
    const tensor = this.weights.get(name);
    if (tensor === undefined) throw new Error(`weight ${name} is missing`);
    if (tensor.dtype !== 'float32') throw new Error(`weight ${name} is ${tensor.dtype}, expected float32`);
    if (tensor.shape.length !== shape.length || tensor.shape.some((dim, i) => dim !== shape[i])) {
      throw new Error(`weight ${name} has shape ${formatShape(tensor.shape)}, expected ${formatShape(shape)}`);
    }
    return tensor.data;
  }

  private linear(prefix: string): Linear {
    const weight = this.weights.get(`${prefix}.weight`);
    if (weight === undefined || weight.shape.length !== 2) throw new Error(`weight ${prefix}.weight is missing or not 2-D`);
    const [outFeatures = 0, inFeatures = 0] = weight.shape;
    return {
      weight: this.tensor(`${prefix}.weight`, [outFeatures, inFeatures]),
      bias: this.tensor(`${prefix}.bias`, [outFeatures]),
      inFeatures,
      outFeatures,
    };
  }

  private norm(prefix: string): Norm {
    return { gain: this.tensor(`${prefix}.weight`, [this.hidden]), bias: this.tensor(`${prefix}.bias`, [this.hidden]) };
  }
}

/** y = x W^T + b for `rows` rows of x; W is [out, in] as PyTorch stores it. */
function linear(x: Float64Array, rows: number, layer: Linear): Float64Array {
  const { weight, bias, inFeatures, outFeatures } = layer;
  if (x.length !== rows * inFeatures) throw new Error(`linear: input has ${x.length} values, expected ${rows} x ${inFeatures}`);
  const y = new Float64Array(rows * outFeatures);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outFeatures; o++) {
      let sum = at(bias, o);
      for (let c = 0; c < inFeatures; c++) sum += at(x, r * inFeatures + c) * at(weight, o * inFeatures + c);
      y[r * outFeatures + o] = sum;
    }
  }
  return y;
}

/** LayerNorm over the last axis with the biased variance, as torch.nn.LayerNorm. */
function layerNorm(x: Float64Array, rows: number, width: number, norm: Norm, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let c = 0; c < width; c++) mean += at(x, r * width + c);
    mean /= width;
    let variance = 0;
    for (let c = 0; c < width; c++) variance += (at(x, r * width + c) - mean) ** 2;
    variance /= width;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let c = 0; c < width; c++) y[r * width + c] = (at(x, r * width + c) - mean) * inv * at(norm.gain, c) + at(norm.bias, c);
  }
  return y;
}

function softmax(scores: readonly number[]): number[] {
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

function addInPlace(target: Float64Array, other: Float64Array): Float64Array {
  for (let i = 0; i < target.length; i++) target[i] = at(target, i) + at(other, i);
  return target;
}

/** Indexed read that fails loudly instead of yielding undefined (noUncheckedIndexedAccess). */
function at(array: Float32Array | Float64Array, index: number): number {
  const value = array[index];
  if (value === undefined) throw new Error(`index ${index} out of range (${array.length})`);
  return value;
}

function floatTensor(shape: number[], data: Float32Array): FloatTensor {
  return { dtype: 'float32', shape, data };
}
