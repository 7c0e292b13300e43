// The HuggingFace reference fixtures (test/fixtures/longformer-ref/<case>/reference.json, written by transformers'
// PyTorch Longformer; see test/fixtures/README.md): their types, a reader, and what the parity tests make of them
// (engine inputs, onnxruntime feeds, the largest difference from an expected tensor).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { FloatTensor } from '../../src/core/checkpoint/tensor';
import type { ModelInputs, OutputName } from '../../src/core/runtime/engine';
import { FIXTURES } from '../unit/checkpoint/support/checkpoint-files';

/** A tensor as the reference writes it: its shape and the numbers as nested arrays. */
export interface JsonTensor {
  readonly shape: number[];
  readonly data: unknown;
}

/** One batch of the reference: what went into the model and every output that came out. */
export interface ReferenceInput {
  readonly name: string;
  readonly batch_size: number;
  readonly seq_len: number;
  readonly input_ids: number[][];
  readonly attention_mask: number[][];
  /** True where the reference called the model without a global mask, so that HuggingFace derived its default. */
  readonly global_attention_mask_omitted: boolean;
  readonly global_attention_mask: number[][] | null;
  /** The mask HuggingFace derives when none is given (the question's tokens for question answering, else <s>). */
  readonly derived_global_attention_mask: number[][] | null;
  readonly max_num_global: number;
  readonly padded_seq_len: number;
  readonly outputs: ReferenceOutputs;
}

/** The outputs besides the per-layer attentions: the hidden states, or the head's logits. */
export type PlainOutputName = Exclude<OutputName, 'attentions' | 'global_attentions'>;

/** One tensor a layer for the attentions; global_attentions is null when the batch has no global token. */
export type ReferenceOutputs = Partial<Record<PlainOutputName, JsonTensor>> & {
  readonly attentions: JsonTensor[];
  readonly global_attentions: JsonTensor[] | null;
};

export interface Reference {
  readonly case: string;
  readonly num_parameters: number;
  readonly tensor_names: string[];
  readonly inputs: ReferenceInput[];
}

export function readReference(caseName: string): Reference {
  return JSON.parse(readFileSync(join(FIXTURES, caseName, 'reference.json'), 'utf8')) as Reference;
}

/** Nested arrays to one flat list, in row-major order. */
export function flatten(data: unknown): number[] {
  return Array.isArray(data) ? data.flatMap(flatten) : [data as number];
}

/** The outputs an input has besides the per-layer attentions. */
export function plainOutputNames(input: ReferenceInput): PlainOutputName[] {
  return Object.keys(input.outputs).filter((name) => name !== 'attentions' && name !== 'global_attentions') as PlainOutputName[];
}

/** The global mask the reference ran with: the one given, else the one HuggingFace derived. */
export function referenceGlobalMask(input: ReferenceInput): number[][] {
  const mask = input.global_attention_mask ?? input.derived_global_attention_mask;
  assert.ok(mask !== null, `${input.name}: no global attention mask, given or derived`);
  return mask;
}

const int64 = (rows: number[][]): BigInt64Array => BigInt64Array.from(rows.flat(), (v) => BigInt(v));

export function toModelInputs(input: ReferenceInput, globalMask: number[][] = referenceGlobalMask(input)): ModelInputs {
  return {
    batchSize: input.batch_size,
    seqLen: input.seq_len,
    inputIds: int64(input.input_ids),
    attentionMask: int64(input.attention_mask),
    globalAttentionMask: int64(globalMask),
  };
}

/** The same input as feeds for a plain onnxruntime session over an exported model. */
export function toOrtFeeds(input: ReferenceInput): Record<string, ort.Tensor> {
  const dims = [input.batch_size, input.seq_len];
  const tensor = (rows: number[][]): ort.Tensor => new ort.Tensor('int64', int64(rows), dims);
  return {
    input_ids: tensor(input.input_ids),
    attention_mask: tensor(input.attention_mask),
    global_attention_mask: tensor(referenceGlobalMask(input)),
  };
}

/** Largest |actual - expected| element by element; a NaN anywhere counts as an infinite difference. */
export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): number {
  assert.equal(actual.length, expected.length, `${what}: element count`);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    worst = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : Math.max(worst, diff);
  }
  return worst;
}

/** Largest |actual - expected| of an engine or onnxruntime tensor against a reference (or another engine) tensor, whose shapes must match exactly. */
export function maxDiff(actual: FloatTensor | ort.Tensor | undefined, expected: JsonTensor | FloatTensor, what: string): number {
  assert.ok(actual !== undefined, `${what}: missing`);
  const [shape, values] = 'dims' in actual ? [actual.dims, actual.data as Float32Array] : [actual.shape, actual.data];
  assert.deepEqual([...shape], [...expected.shape], `${what}: shape`);
  return maxAbsDiff(values, expected.data instanceof Float32Array ? expected.data : flatten(expected.data), what);
}

/** Six tokens any fixture model takes, <s> global: for tests about the engine rather than its numbers. */
export const SIX_TOKENS: ModelInputs = {
  batchSize: 1,
  seqLen: 6,
  inputIds: BigInt64Array.from([0n, 10n, 20n, 30n, 40n, 2n]),
  attentionMask: BigInt64Array.from([1n, 1n, 1n, 1n, 1n, 1n]),
  globalAttentionMask: BigInt64Array.from([1n, 0n, 0n, 0n, 0n, 0n]),
};
