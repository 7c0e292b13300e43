// The typed form of a Longformer checkpoint's config.json, and its validation. Every error names the field and the
// file, because a user fixing a config needs both.
import { LensError } from '../errors';

/** The task head on top of the encoder, chosen from config.json's `architectures` (or the task, AUTO_CLASSES). */
export type HeadKind = 'base' | 'sequence-classification' | 'question-answering' | 'token-classification' | 'masked-lm';

export interface LongformerConfig {
  readonly modelType: 'longformer';
  /**
   * `architectures[0]`, e.g. "LongformerForQuestionAnswering". When config.json names none, the class of the head
   * the task asked for (parseLongformerConfig's `taskHead`; LongformerModel when none did).
   */
  readonly architecture: string;
  readonly head: HeadKind;
  /**
   * Set only when config.json names no architectures: transformers' Auto class that picks this head for the task
   * ("AutoModelForQuestionAnswering"), whose choice `architecture` follows.
   */
  readonly autoClass?: string;
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numHiddenLayers: number;
  readonly numAttentionHeads: number;
  readonly intermediateSize: number;
  /** "gelu" (exact, erf-based) is what Longformer checkpoints use. */
  readonly hiddenAct: 'gelu' | 'gelu_new' | 'relu' | 'tanh';
  readonly maxPositionEmbeddings: number;
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
  /** Full window per layer (even, > 0); the one-sided window is half of it. Always expanded to one entry per layer. */
  readonly attentionWindow: readonly number[];
  /** Dilation per layer (>= 1); HuggingFace ignores it, the paper's dilated windows use it. */
  readonly attentionDilation: readonly number[];
  readonly padTokenId: number;
  readonly bosTokenId: number;
  readonly eosTokenId: number;
  readonly sepTokenId: number;
  /** Label names by class index (classification heads), from `id2label`. Empty when the config has none. */
  readonly id2label: readonly string[];
  readonly problemType?: 'single_label_classification' | 'multi_label_classification' | 'regression';
}

/** The architectures we can run, and the head each one puts on the encoder (a small registry, STYLE.md 4). */
export const ARCHITECTURE_HEADS: ReadonlyMap<string, HeadKind> = new Map<string, HeadKind>([
  ['LongformerModel', 'base'],
  ['LongformerForSequenceClassification', 'sequence-classification'],
  ['LongformerForQuestionAnswering', 'question-answering'],
  ['LongformerForTokenClassification', 'token-classification'],
  ['LongformerForMaskedLM', 'masked-lm'],
]);

/**
 * transformers' Auto class for each head (modeling_auto.py maps model_type "longformer" to the Longformer class of
 * each task). An Auto class never reads `architectures`: AutoModelForQuestionAnswering builds
 * LongformerForQuestionAnswering whatever the config names. For a config that names no class, each verb does the
 * same with its task's head. A config that names one keeps it, and a task that needs another head is refused
 * (pipeline.ts requireHead) where transformers would start that head from random weights.
 */
export const AUTO_CLASSES: Readonly<Record<HeadKind, string>> = {
  base: 'AutoModel',
  'sequence-classification': 'AutoModelForSequenceClassification',
  'question-answering': 'AutoModelForQuestionAnswering',
  'token-classification': 'AutoModelForTokenClassification',
  'masked-lm': 'AutoModelForMaskedLM',
};

/** The Longformer class of each head (the inverse of ARCHITECTURE_HEADS). */
export function architectureOf(head: HeadKind): string {
  return [...ARCHITECTURE_HEADS].find(([, kind]) => kind === head)![0];
}

const HIDDEN_ACTS = ['gelu', 'gelu_new', 'relu', 'tanh'] as const;
const PROBLEM_TYPES = ['single_label_classification', 'multi_label_classification', 'regression'] as const;

/**
 * Validates a parsed config.json and returns its typed form. `source` is the file path, used in error messages.
 * Defaults follow HuggingFace's LongformerConfig/RobertaConfig where a field is optional there. `taskHead`: the head
 * the caller's task needs, used only when config.json names no architectures (as the task's Auto class would).
 */
export function parseLongformerConfig(json: unknown, source: string, taskHead?: HeadKind): LongformerConfig {
  if (!isRecord(json)) throw bad(source, 'the file must hold a JSON object');
  const fields = new ConfigFields(json, source);

  const modelType = fields.optionalString('model_type');
  if (modelType !== undefined && modelType !== 'longformer') {
    throw bad(source, `model_type is "${modelType}", not "longformer"`);
  }

  const named = readArchitecture(fields, source);
  const architecture = named ?? architectureOf(taskHead ?? 'base');
  const head = ARCHITECTURE_HEADS.get(architecture);
  if (head === undefined) {
    throw bad(source, `architectures[0] is "${architecture}", which is not one of ${[...ARCHITECTURE_HEADS.keys()].join(', ')}`);
  }

  const hiddenSize = fields.positiveInt('hidden_size', 768);
  const numHiddenLayers = fields.positiveInt('num_hidden_layers', 12);
  const numAttentionHeads = fields.positiveInt('num_attention_heads', 12);
  if (hiddenSize % numAttentionHeads !== 0) {
    throw bad(source, `num_attention_heads (${numAttentionHeads}) does not divide hidden_size (${hiddenSize})`);
  }

  const hiddenAct = fields.optionalString('hidden_act') ?? 'gelu';
  if (!isOneOf(hiddenAct, HIDDEN_ACTS)) {
    throw bad(source, `hidden_act is "${hiddenAct}"; supported: ${HIDDEN_ACTS.join(', ')}`);
  }

  const attentionWindow = readPerLayer(fields, 'attention_window', numHiddenLayers, 512, (value, where) => {
    if (!Number.isInteger(value) || value <= 0 || value % 2 !== 0) {
      throw bad(source, `${where} is ${value}; each attention window must be an even positive integer`);
    }
  });
  const attentionDilation = readPerLayer(fields, 'attention_dilation', numHiddenLayers, 1, (value, where) => {
    if (!Number.isInteger(value) || value < 1) throw bad(source, `${where} is ${value}; a dilation must be an integer >= 1`);
  });

  const problemType = fields.optionalString('problem_type');
  if (problemType !== undefined && !isOneOf(problemType, PROBLEM_TYPES)) {
    throw bad(source, `problem_type is "${problemType}"; expected one of ${PROBLEM_TYPES.join(', ')}`);
  }

  const layerNormEps = fields.number('layer_norm_eps', 1e-12);
  if (!(layerNormEps > 0)) throw bad(source, `layer_norm_eps is ${layerNormEps}; it must be positive`);

  const config: LongformerConfig = {
    modelType: 'longformer',
    architecture,
    head,
    ...(named === undefined ? { autoClass: AUTO_CLASSES[head] } : {}),
    vocabSize: fields.positiveInt('vocab_size', 50265),
    hiddenSize,
    numHiddenLayers,
    numAttentionHeads,
    intermediateSize: fields.positiveInt('intermediate_size', 3072),
    hiddenAct,
    maxPositionEmbeddings: fields.positiveInt('max_position_embeddings', 4098),
    typeVocabSize: fields.positiveInt('type_vocab_size', 1),
    layerNormEps,
    attentionWindow,
    attentionDilation,
    padTokenId: fields.nonNegativeInt('pad_token_id', 1),
    bosTokenId: fields.nonNegativeInt('bos_token_id', 0),
    eosTokenId: fields.nonNegativeInt('eos_token_id', 2),
    sepTokenId: fields.nonNegativeInt('sep_token_id', 2),
    id2label: readLabels(fields, head),
    ...(problemType === undefined ? {} : { problemType }),
  };
  for (const [name, id] of [
    ['pad_token_id', config.padTokenId],
    ['bos_token_id', config.bosTokenId],
    ['eos_token_id', config.eosTokenId],
    ['sep_token_id', config.sepTokenId],
  ] as const) {
    if (id >= config.vocabSize) throw bad(source, `${name} (${id}) is not below vocab_size (${config.vocabSize})`);
  }
  checkSizesAgree(config, source);
  return config;
}

/**
 * Sizes that are each valid alone but cannot be built together are refused here, before any graph is built: a
 * window wider than the position table (the graph lays the band out per window, so 2^53 would reach array
 * allocation), a dilation that spreads a window past every position, a position table with no room for a token.
 */
function checkSizesAgree(config: LongformerConfig, source: string): void {
  const positions = config.maxPositionEmbeddings;
  if (positions < config.padTokenId + 2) {
    throw bad(
      source,
      `max_position_embeddings (${positions}) leaves no position for a token: position ids start at pad_token_id + 1 (${config.padTokenId + 1})`,
    );
  }
  config.attentionWindow.forEach((window, layer) => {
    if (window > positions) {
      throw bad(
        source,
        `attention_window${where(config.attentionWindow, layer)} is ${window}, wider than max_position_embeddings (${positions})`,
      );
    }
    const dilation = config.attentionDilation[layer]!;
    if (dilation * window > positions) {
      throw bad(
        source,
        `attention_dilation${where(config.attentionDilation, layer)} is ${dilation}: with attention_window ${window} it spans ${dilation * window} positions, more than max_position_embeddings (${positions})`,
      );
    }
  });
}

/** `[i]` when the per-layer values differ, so the error points at the entry that is wrong. */
function where(values: readonly number[], layer: number): string {
  return values.every((value) => value === values[0]) ? '' : `[${layer}]`;
}

/** `architectures[0]`, or undefined when config.json names none (the 2020 uploads). */
function readArchitecture(fields: ConfigFields, source: string): string | undefined {
  const value = fields.raw('architectures');
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0 || typeof value[0] !== 'string') {
    throw bad(source, 'architectures must be a non-empty list of class names');
  }
  return value[0];
}

/** An int or a per-layer list, expanded to one entry per layer; `check` validates each entry. */
function readPerLayer(
  fields: ConfigFields,
  name: string,
  layers: number,
  fallback: number,
  check: (value: number, where: string) => void,
): number[] {
  const value = fields.raw(name);
  if (value === undefined || value === null) {
    check(fallback, name);
    return new Array<number>(layers).fill(fallback);
  }
  if (typeof value === 'number') {
    check(value, name);
    return new Array<number>(layers).fill(value);
  }
  if (!Array.isArray(value)) throw bad(fields.source, `${name} must be a number or a list of numbers, one per layer`);
  if (value.length !== layers) {
    throw bad(fields.source, `${name} has ${value.length} entries but num_hidden_layers is ${layers}`);
  }
  return value.map((entry: unknown, index) => {
    if (typeof entry !== 'number') throw bad(fields.source, `${name}[${index}] is not a number`);
    check(entry, `${name}[${index}]`);
    return entry;
  });
}

/**
 * Classification heads need their label count. HuggingFace's PretrainedConfig gives `id2label` precedence, then
 * `num_labels`, then two labels named LABEL_0, LABEL_1; other heads keep whatever names the file has.
 */
function readLabels(fields: ConfigFields, head: HeadKind): string[] {
  const labels = readId2Label(fields.raw('id2label'), fields.source);
  const numLabels = fields.raw('num_labels') === undefined ? undefined : fields.positiveInt('num_labels', 2);
  if (numLabels !== undefined && labels.length > 0 && numLabels !== labels.length) {
    throw bad(fields.source, `num_labels is ${numLabels} but id2label has ${labels.length} entries`);
  }
  if (labels.length > 0 || (head !== 'sequence-classification' && head !== 'token-classification')) return labels;
  return Array.from({ length: numLabels ?? 2 }, (_, index) => `LABEL_${index}`);
}

/** HuggingFace writes `id2label` with string keys ("0", "1", ...); they must be exactly 0..n-1. */
function readId2Label(value: unknown, source: string): string[] {
  if (value === undefined || value === null) return [];
  if (!isRecord(value)) throw bad(source, 'id2label must be an object mapping class indices to names');
  const keys = Object.keys(value);
  const labels = new Array<string>(keys.length);
  for (const key of keys) {
    const index = /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : Number.NaN;
    if (!(index < keys.length)) {
      throw bad(source, `id2label has key "${key}"; keys must be the class indices 0..${keys.length - 1}`);
    }
    const label = value[key];
    if (typeof label !== 'string') throw bad(source, `id2label["${key}"] is not a string`);
    labels[index] = label;
  }
  return labels;
}

/** Typed reads of one config object, with the field name and the file in every error. */
class ConfigFields {
  constructor(
    private readonly json: Record<string, unknown>,
    readonly source: string,
  ) {}

  raw(name: string): unknown {
    return Object.prototype.hasOwnProperty.call(this.json, name) ? this.json[name] : undefined;
  }

  optionalString(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw bad(this.source, `${name} must be a string`);
    return value;
  }

  number(name: string, fallback: number): number {
    const value = this.raw(name);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(this.source, `${name} must be a number`);
    return value;
  }

  positiveInt(name: string, fallback: number): number {
    const value = this.number(name, fallback);
    if (!Number.isInteger(value) || value <= 0) throw bad(this.source, `${name} is ${value}; it must be a positive integer`);
    return value;
  }

  nonNegativeInt(name: string, fallback: number): number {
    const value = this.number(name, fallback);
    if (!Number.isInteger(value) || value < 0) throw bad(this.source, `${name} is ${value}; it must be an integer >= 0`);
    return value;
  }
}

function bad(source: string, what: string): LensError {
  return new LensError('BAD_CONFIG', `${source}: ${what}.`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOneOf<T extends string>(value: string, options: readonly T[]): value is T {
  return (options as readonly string[]).includes(value);
}
