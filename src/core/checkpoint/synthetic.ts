// Random-weight Longformer checkpoints made in code, so that tests and benchmarks can build real checkpoint folders
// (config.json + model.safetensors, exactly as HuggingFace writes them) of any shape and head without downloading
// anything: tiny ones for randomized engine tests, a full-size one (longformer-base shapes) for speed and memory.
// Everything is deterministic in the seed; each tensor's values depend only on (seed, tensor name), so adding a
// layer or changing the head leaves the other tensors unchanged.
import { mkdir, open, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { LensError } from '../errors';
import { ARCHITECTURE_HEADS, parseLongformerConfig, type HeadKind, type LongformerConfig } from './config';
import { expectedTensorShapes } from './shapes';
import { elementCount, type FloatTensor, type StateDict, type Tensor } from './tensor';

export interface SyntheticConfigOptions {
  readonly head?: HeadKind;
  readonly numHiddenLayers?: number;
  readonly hiddenSize?: number;
  readonly numAttentionHeads?: number;
  readonly intermediateSize?: number;
  /** One full window for every layer, or one per layer (even, > 0). */
  readonly attentionWindow?: number | readonly number[];
  /** One dilation for every layer, or one per layer (>= 1). */
  readonly attentionDilation?: number | readonly number[];
  readonly vocabSize?: number;
  readonly maxPositionEmbeddings?: number;
  readonly hiddenAct?: LongformerConfig['hiddenAct'];
  readonly layerNormEps?: number;
  /** Label names for the classification heads; defaults to LABEL_0.. of `numLabels`. */
  readonly labels?: readonly string[];
  readonly numLabels?: number;
}

/** A model of the fixtures' size: fast enough for dozens of randomized engine runs. */
export const TINY_OPTIONS: SyntheticConfigOptions = {
  numHiddenLayers: 2,
  hiddenSize: 32,
  numAttentionHeads: 4,
  intermediateSize: 64,
  attentionWindow: 8,
  vocabSize: 120,
  maxPositionEmbeddings: 130,
};

/** allenai/longformer-base-4096's shapes (about 149M parameters with the pooler). */
export const FULL_SIZE_OPTIONS: SyntheticConfigOptions = {
  numHiddenLayers: 12,
  hiddenSize: 768,
  numAttentionHeads: 12,
  intermediateSize: 3072,
  attentionWindow: 512,
  vocabSize: 50265,
  maxPositionEmbeddings: 4098,
};

const ARCHITECTURE_BY_HEAD: ReadonlyMap<HeadKind, string> = new Map(
  [...ARCHITECTURE_HEADS].map(([architecture, head]) => [head, architecture] as const),
);

/**
 * A validated config: the options are turned into HuggingFace's config.json and read back with the same parser
 * real checkpoints go through, so a synthetic config can never be one the loader would refuse.
 */
export function syntheticConfig(options: SyntheticConfigOptions = {}): LongformerConfig {
  const head = options.head ?? 'base';
  const layers = options.numHiddenLayers ?? TINY_OPTIONS.numHiddenLayers ?? 2;
  const perLayer = (value: number | readonly number[] | undefined, fallback: number): number[] =>
    typeof value === 'number' || value === undefined ? new Array<number>(layers).fill(value ?? fallback) : [...value];
  const classifies = head === 'sequence-classification' || head === 'token-classification';
  const labels = options.labels ?? Array.from({ length: options.numLabels ?? 3 }, (_, i) => `LABEL_${i}`);
  const architecture = ARCHITECTURE_BY_HEAD.get(head);
  if (architecture === undefined) throw new LensError('BAD_ARGUMENT', `no architecture for the head "${head}"`);
  const config: LongformerConfig = {
    modelType: 'longformer',
    architecture,
    head,
    vocabSize: options.vocabSize ?? 120,
    hiddenSize: options.hiddenSize ?? 32,
    numHiddenLayers: layers,
    numAttentionHeads: options.numAttentionHeads ?? 4,
    intermediateSize: options.intermediateSize ?? 64,
    hiddenAct: options.hiddenAct ?? 'gelu',
    maxPositionEmbeddings: options.maxPositionEmbeddings ?? 130,
    typeVocabSize: 1,
    layerNormEps: options.layerNormEps ?? 1e-5,
    attentionWindow: perLayer(options.attentionWindow, 8),
    attentionDilation: perLayer(options.attentionDilation, 1),
    padTokenId: 1,
    bosTokenId: 0,
    eosTokenId: 2,
    sepTokenId: 2,
    id2label: classifies ? labels : [],
  };
  return parseLongformerConfig(huggingFaceConfigJson(config), '<synthetic config>');
}

/** The config as HuggingFace's config.json holds it (LongformerConfig.to_dict() plus what our parser reads). */
export function huggingFaceConfigJson(config: LongformerConfig): Record<string, unknown> {
  const json: Record<string, unknown> = {
    architectures: [config.architecture],
    attention_probs_dropout_prob: 0.1,
    attention_window: [...config.attentionWindow],
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenId,
    hidden_act: config.hiddenAct,
    hidden_dropout_prob: 0.1,
    hidden_size: config.hiddenSize,
    initializer_range: 0.02,
    intermediate_size: config.intermediateSize,
    layer_norm_eps: config.layerNormEps,
    max_position_embeddings: config.maxPositionEmbeddings,
    model_type: 'longformer',
    num_attention_heads: config.numAttentionHeads,
    num_hidden_layers: config.numHiddenLayers,
    pad_token_id: config.padTokenId,
    position_embedding_type: 'absolute',
    sep_token_id: config.sepTokenId,
    torch_dtype: 'float32',
    type_vocab_size: config.typeVocabSize,
    vocab_size: config.vocabSize,
  };
  // HuggingFace ignores attention_dilation; the original allenai configs carry it. Written only when it matters.
  if (config.attentionDilation.some((d) => d !== 1)) json['attention_dilation'] = [...config.attentionDilation];
  if (config.id2label.length > 0) {
    json['id2label'] = Object.fromEntries(config.id2label.map((label, i) => [String(i), label]));
    json['label2id'] = Object.fromEntries(config.id2label.map((label, i) => [label, i]));
  }
  if (config.problemType !== undefined) json['problem_type'] = config.problemType;
  return json;
}

/**
 * Random weights under canonical names for every tensor the config's model needs (expectedTensorShapes), float32.
 * Values are uniform with a chosen standard deviation: linear weights std clamp(1/sqrt(in), 0.02, 0.2), so
 * attention scores stay of order 1 at any width (softmaxes neither uniform nor one-hot); embedding tables 0.2;
 * biases 0.05; LayerNorm gains 1 +- 0.05 std. The masked-LM decoder is tied to the word embeddings as in HF.
 */
export function syntheticWeights(config: LongformerConfig, seed: number): StateDict {
  const weights: StateDict = new Map<string, Tensor>();
  for (const [name, shape] of expectedTensorShapes(config)) {
    if (TIED.has(name)) continue; // filled from its twin below
    weights.set(name, { dtype: 'float32', shape, data: randomValues(name, shape, seed) });
  }
  for (const [name, twin] of TIED) {
    const tensor = weights.get(twin);
    if (tensor !== undefined && config.head === 'masked-lm') weights.set(name, tensor);
  }
  return weights;
}

/** Tensors HuggingFace ties to another (same storage) and safetensors stores once: name → twin. */
const TIED: ReadonlyMap<string, string> = new Map([
  ['lm_head.decoder.weight', 'embeddings.word_embeddings.weight'],
  ['lm_head.decoder.bias', 'lm_head.bias'],
]);

export interface WriteOptions {
  readonly format: 'safetensors';
}

/**
 * Writes a checkpoint folder as HuggingFace's save_pretrained would: config.json, and model.safetensors with
 * task models' encoder under the `longformer.` prefix. Returns the weights written (canonical names).
 */
export async function writeSyntheticCheckpoint(
  dir: string,
  config: LongformerConfig,
  seed: number,
  options: WriteOptions = { format: 'safetensors' },
): Promise<StateDict> {
  if (options.format !== 'safetensors') throw new LensError('BAD_ARGUMENT', `unsupported format "${String(options.format)}"`);
  const weights = syntheticWeights(config, seed);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), `${JSON.stringify(huggingFaceConfigJson(config), null, 2)}\n`);
  const stored = new Map<string, FloatTensor>();
  for (const [name, tensor] of weights) {
    if (TIED.has(name)) continue;
    if (tensor.dtype !== 'float32') throw new LensError('BAD_ARGUMENT', `${name} is not float32`);
    stored.set(storedName(name, config), tensor);
  }
  await writeSafetensors(join(dir, 'model.safetensors'), stored);
  return weights;
}

/** HF task models keep the encoder under `longformer.`; the bare model and the heads have no prefix. */
function storedName(canonical: string, config: LongformerConfig): string {
  const encoderPart = canonical.startsWith('embeddings.') || canonical.startsWith('encoder.');
  return config.head !== 'base' && encoderPart ? `longformer.${canonical}` : canonical;
}

/**
 * Writes float32 tensors in the safetensors format (https://github.com/huggingface/safetensors#format): an 8-byte
 * little-endian header length, a JSON header {name: {dtype, shape, data_offsets}} plus `__metadata__`, padded with
 * spaces to a multiple of 8 bytes as the reference writer does, then the data in sorted-name order.
 */
export async function writeSafetensors(path: string, tensors: ReadonlyMap<string, FloatTensor>): Promise<void> {
  // The data is written straight from the Float32Arrays' memory, which is little-endian only on LE machines.
  if (endianness() !== 'LE') throw new LensError('BAD_ARGUMENT', 'writing safetensors needs a little-endian machine');
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const name of names) {
    const tensor = tensors.get(name);
    if (tensor === undefined) continue;
    if (tensor.data.length !== elementCount(tensor.shape)) {
      throw new LensError('BAD_ARGUMENT', `${name}: ${tensor.data.length} values for shape [${tensor.shape.join(', ')}]`);
    }
    header[name] = { dtype: 'F32', shape: [...tensor.shape], data_offsets: [offset, offset + tensor.data.byteLength] };
    offset += tensor.data.byteLength;
  }
  let headerText = JSON.stringify(header);
  headerText += ' '.repeat((8 - (Buffer.byteLength(headerText) % 8)) % 8);
  const headerBytes = Buffer.from(headerText, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.byteLength));

  const handle = await open(path, 'w');
  try {
    await handle.write(prefix);
    await handle.write(headerBytes);
    for (const name of names) {
      const tensor = tensors.get(name);
      if (tensor === undefined) continue;
      // Large tensors go out in slices: one write call is limited to 2 GiB.
      const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
      for (let start = 0; start < bytes.byteLength; start += 1 << 28) {
        await handle.write(bytes.subarray(start, Math.min(bytes.byteLength, start + (1 << 28))));
      }
    }
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------

function randomValues(name: string, shape: readonly number[], seed: number): Float32Array {
  const data = new Float32Array(elementCount(shape));
  const random = new Xorshift(hashName(name, seed));
  const isNorm = name.includes('LayerNorm') || name.includes('layer_norm');
  if (isNorm && name.endsWith('.weight')) {
    random.fillUniform(data, 0.05);
    for (let i = 0; i < data.length; i++) data[i] = (data[i] ?? 0) + 1;
    return data;
  }
  let std = 0.05; // biases, LayerNorm biases
  if (name.includes('embeddings.')) std = 0.2;
  else if (name.endsWith('.weight') && shape.length === 2) std = Math.min(0.2, Math.max(0.02, 1 / Math.sqrt(shape[1] ?? 1)));
  random.fillUniform(data, std);
  return data;
}

/** FNV-1a over the name's UTF-16 units, mixed with the seed: a per-tensor seed that ignores generation order. */
function hashName(name: string, seed: number): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * Marsaglia's xorshift32 with a Weyl sequence added to the output (which breaks xorshift's linear artefacts in the
 * low bits). Not cryptographic; chosen because 150M values must come out in about a second.
 */
class Xorshift {
  private state: number;
  private weyl = 0;

  constructor(seed: number) {
    // xorshift has a fixed point at 0; any other 32-bit state is on the full-period cycle.
    this.state = seed >>> 0 === 0 ? 0x9e3779b9 : seed >>> 0;
    for (let i = 0; i < 8; i++) this.next(); // move away from similar seeds' starting points
  }

  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    this.weyl = (this.weyl + 0x9e3779b9) >>> 0;
    return (this.state + this.weyl) >>> 0;
  }

  /** Uniform in (-a, a) with a = std * sqrt(3), so that the standard deviation is `std`. */
  fillUniform(target: Float32Array, std: number): void {
    const scale = (2 * std * Math.sqrt(3)) / 4294967296;
    const offset = std * Math.sqrt(3);
    // next() inlined on locals: this loop makes the full-size model's 149M values, and field access per value
    // costs about 4x.
    let x = this.state;
    let weyl = this.weyl;
    for (let i = 0; i < target.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      weyl = (weyl + 0x9e3779b9) | 0;
      target[i] = ((x + weyl) >>> 0) * scale - offset;
    }
    this.state = x >>> 0;
    this.weyl = weyl >>> 0;
  }
}
