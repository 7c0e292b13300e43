// Document classification. Each chunk is classified on its own (global attention on `<s>` plus the caller's spans);
// the document's logits are by default the mean of the chunks' logits ('max' takes each label's largest logit, for
// "does any part of the document say X" labels), and probabilities come from those logits: softmax
// over the labels, or a sigmoid per label for multi-label checkpoints (problem_type "multi_label_classification").
// Averaging logits rather than probabilities keeps one very confident chunk from being flattened by the others'
// scale, and equals the probabilities of the single chunk when the document fits in one.
import type { LongformerConfig } from '../checkpoint/config';
import type { Engine, RunInfo } from '../runtime/engine';
import type { RobertaTokenizer } from '../tokenizer/tokenizer';
import { argmax, sigmoid, softmax } from './math';
import { type DocumentTaskOptions, prepareDocument, requireHead, requireTensor, runChunks } from './pipeline';

export type Activation = 'softmax' | 'sigmoid' | 'none';
export type Aggregation = 'mean' | 'max';
/** What produced a classification: the checkpoint's own classifier, a head trained with train-head, or zero-shot labels. */
export type ClassificationMethod = 'fine-tuned-head' | 'trained-head' | 'zero-shot';

export interface ClassifyOptions extends DocumentTaskOptions {
  /** How chunk logits combine into the document's: 'mean' (default) or 'max'. */
  readonly aggregate?: Aggregation;
}

export interface ChunkClassification {
  readonly start: number;
  readonly end: number;
  readonly probabilities: Float32Array;
}

export interface Classification extends RunInfo {
  readonly method: ClassificationMethod;
  readonly labels: readonly string[];
  /** The most probable label. */
  readonly label: string;
  /** Per label, in label order. */
  readonly probabilities: Float32Array;
  /** The aggregated logits (see Classification's `aggregate`). */
  readonly logits: Float32Array;
  readonly activation: Activation;
  readonly aggregate: Aggregation;
  readonly chunks: readonly ChunkClassification[];
  /** Number of document tokens the caller's spans made global. */
  readonly globalTokens: number;
  readonly warnings: readonly string[];
}

export function activationFor(config: LongformerConfig): Activation {
  if (config.problemType === 'multi_label_classification') return 'sigmoid';
  if (config.problemType === 'regression') return 'none';
  return 'softmax';
}

export function labelNames(config: LongformerConfig, count: number): string[] {
  return Array.from({ length: count }, (_, i) => config.id2label[i] ?? `LABEL_${i}`);
}

export function activate(logits: ArrayLike<number>, activation: Activation): Float32Array {
  if (activation === 'softmax') return Float32Array.from(softmax(logits));
  if (activation === 'sigmoid') return Float32Array.from(Array.from(logits, sigmoid));
  return Float32Array.from(logits);
}

/** Mean of the chunks' logits, element by element. */
export function meanLogits(chunkLogits: readonly ArrayLike<number>[]): Float32Array {
  const width = chunkLogits[0]?.length ?? 0;
  const sum = new Float64Array(width);
  for (const logits of chunkLogits) for (let i = 0; i < width; i += 1) sum[i]! += logits[i]!;
  return Float32Array.from(sum, (value) => value / chunkLogits.length);
}

/** Largest logit per label over the chunks. */
export function maxLogits(chunkLogits: readonly ArrayLike<number>[]): Float32Array {
  const width = chunkLogits[0]?.length ?? 0;
  const max = new Float32Array(width).fill(-Infinity);
  for (const logits of chunkLogits) for (let i = 0; i < width; i += 1) max[i] = Math.max(max[i]!, logits[i]!);
  return max;
}

/** The pure part: chunk logits (with the chunks' character ranges) to the document's classification. */
export function aggregateClassification(
  chunkLogits: readonly ArrayLike<number>[],
  ranges: readonly { start: number; end: number }[],
  labels: readonly string[],
  activation: Activation,
  aggregate: Aggregation = 'mean',
): Pick<Classification, 'label' | 'probabilities' | 'logits' | 'chunks' | 'labels' | 'activation' | 'aggregate'> {
  const logits = aggregate === 'max' ? maxLogits(chunkLogits) : meanLogits(chunkLogits);
  const probabilities = activate(logits, activation);
  const chunks = chunkLogits.map((chunk, i) => ({
    start: ranges[i]!.start,
    end: ranges[i]!.end,
    probabilities: activate(chunk, activation),
  }));
  return { labels, label: labels[argmax(probabilities)] ?? '', probabilities, logits, activation, aggregate, chunks };
}

export async function classify(
  engine: Engine,
  tokenizer: RobertaTokenizer,
  document: string,
  options: ClassifyOptions = {},
): Promise<Classification> {
  const config = engine.config;
  requireHead(config, ['sequence-classification'], 'Classification');
  const prepared = prepareDocument(config, tokenizer, document, options);
  const { results, ...info } = await runChunks(engine, prepared.inputs, ['logits'], options, (_input, result) =>
    Float32Array.from(requireTensor(result, 'logits')),
  );
  const labels = labelNames(config, results[0]?.length ?? 0);
  const ranges = prepared.chunks.map((chunk) => ({ start: chunk.charStart, end: chunk.charEnd }));
  return {
    ...aggregateClassification(results, ranges, labels, activationFor(config), options.aggregate ?? 'mean'),
    method: 'fine-tuned-head',
    globalTokens: prepared.spanTokens.length,
    warnings: prepared.warnings,
    ...info,
  };
}
