// manifest.json of an export: what a serving runtime needs to feed the graph and read its outputs, and where the
// graph came from. Key order is fixed, so the file is byte-for-byte the same for the same checkpoint.
import { createHash } from 'node:crypto';
import type { HeadKind, LongformerConfig } from '../checkpoint/config';
import { maxInputLength } from '../checkpoint/model-rules';
import type { Graph } from '../graph/builder';
import { FP16_TOLERANCE } from '../graph/half-precision';
import { INT8_LOGIT_BOUND } from '../graph/longformer/weights';
import type { Precision } from '../precision';
import { GRAPH_VERSION } from '../runtime/model-cache';

export interface TensorSpec {
  readonly name: string;
  readonly dtype: string;
  /** Numbers are fixed sizes; strings name dynamic axes (batch, sequence, ...). */
  readonly shape: readonly (number | string)[];
}

export interface ExportManifest {
  readonly format: 'longformer-lens-export';
  readonly format_version: 1;
  readonly name: string;
  readonly model_file: string;
  readonly external_data_file: string;
  readonly precision: Precision;
  /** What the precision means for this graph, and its stated parity with HuggingFace's float32 outputs. */
  readonly precision_note: string;
  readonly opset: number;
  readonly ir_version: number;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly architecture: string;
  readonly head: HeadKind;
  readonly labels: readonly string[];
  /** Per layer, the full window (the one-sided window is half of it). */
  readonly attention_window: readonly number[];
  /** The longest input: max_position_embeddings - pad_token_id - 1 tokens (checkpoint/model-rules.ts). */
  readonly max_length: number;
  readonly pad_token_id: number;
  /** Which tokens get global attention when the caller has no reason to choose others. */
  readonly default_global_attention: string;
  readonly tokenizer_files: readonly string[];
  readonly source: { readonly sha256: string; readonly files: readonly { readonly file: string; readonly sha256: string }[] };
  readonly graph_version: string;
  readonly project_version: string;
}

export interface ManifestParts {
  readonly graph: Graph;
  readonly config: LongformerConfig;
  readonly precision: Precision;
  readonly name: string;
  readonly sourceFiles: readonly { file: string; sha256: string }[];
  readonly projectVersion: string;
  readonly tokenizerFiles: readonly string[];
}

/** ONNX IR version 8 goes with opset 17 (serialize.ts writes it). */
const IR_VERSION = 8;

export function defaultGlobalAttention(head: HeadKind): string {
  return head === 'question-answering' ? '<s> and the question: every position before the first </s>' : '<s>: position 0 of each row';
}

export function buildManifest(parts: ManifestParts): ExportManifest {
  const { graph, config } = parts;
  const spec = (io: Graph['inputs'][number]): TensorSpec => ({ name: io.name, dtype: io.dtype, shape: [...(io.dims ?? [])] });
  const combined = createHash('sha256');
  for (const { file, sha256 } of parts.sourceFiles) combined.update(`${sha256}  ${file}\n`);
  return {
    format: 'longformer-lens-export',
    format_version: 1,
    name: parts.name,
    model_file: 'model.onnx',
    external_data_file: 'model.onnx.data',
    precision: parts.precision,
    precision_note: precisionNote(
      parts.precision,
      graph.outputs.map((o) => o.name),
    ),
    opset: graph.opset,
    ir_version: IR_VERSION,
    inputs: graph.inputs.map(spec),
    outputs: graph.outputs.map(spec),
    architecture: config.architecture,
    head: config.head,
    labels: [...config.id2label],
    attention_window: [...config.attentionWindow],
    max_length: maxInputLength(config),
    pad_token_id: config.padTokenId,
    default_global_attention: defaultGlobalAttention(config.head),
    tokenizer_files: [...parts.tokenizerFiles],
    source: { sha256: combined.digest('hex'), files: parts.sourceFiles.map(({ file, sha256 }) => ({ file, sha256 })) },
    graph_version: GRAPH_VERSION,
    project_version: parts.projectVersion,
  };
}

/** The precision in words, with the tolerance the tests hold the graph to for each of its outputs. */
export function precisionNote(precision: Precision, outputs: readonly string[]): string {
  if (precision === 'fp32') return 'float32 throughout; outputs match HuggingFace float32 within 1e-4.';
  if (precision === 'int8') {
    return (
      "The attention output and feed-forward layers are onnxruntime's com.microsoft DynamicQuantizeMatMul: int8 " +
      'weights with one scale per output column (7 bits, -63..63), activations quantized to uint8 per run; query, ' +
      'key, value, softmax, layer norm and the heads stay float32; inputs and outputs keep their types. The operator ' +
      'is an onnxruntime contrib operator: runtimes built on onnxruntime (its Python, C#, Java and Node packages, ' +
      "Triton's onnxruntime backend) run it, other ONNX runtimes do not. Accuracy cost measured on the project's " +
      `test models: classification logits within ${INT8_LOGIT_BOUND * 100} % of each row's float32 logit range, ` +
      'question answering best spans unchanged.'
    );
  }
  // attentions.0, global_attentions.1, ... share their family's tolerance.
  const families = [...new Set(outputs.map((name) => name.replace(/\.\d+$/, '')))];
  const tolerances = families.map((name) => `${name} ${FP16_TOLERANCE[name] ?? 'untested'}`).join(', ');
  return (
    'MatMul weights and operands and the embedding tables in float16; softmax, layer norm, GELU and the residual sums ' +
    'in float32; inputs and outputs keep their types (int64 in, float32 out). Largest |difference| from HuggingFace ' +
    `float32 the project's tests allow on its small test models: ${tolerances}. onnxruntime's CPU provider on x64 ` +
    'has no float16 MatMul and widens them to float32 (float16-rounded weights, float32 arithmetic: no speed-up); ' +
    'GPU providers multiply in float16.'
  );
}
