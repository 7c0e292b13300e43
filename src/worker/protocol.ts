// Every message between the extension and the engine worker, declared once and imported by both sides.
// Transport: Node's child-process IPC channel with structured-clone serialization; one request → zero or more
// progress messages (and, for a task, one engine message saying what it runs on) → one reply.
import type { HeadKind } from '../core/checkpoint/config';
import type { CheckpointInfo } from '../core/checkpoint/describe';
import type { LensErrorCode } from '../core/errors';
import type { Precision } from '../core/precision';
import type { ProviderChoice } from '../core/runtime/provider-choice';
import type { AnswerResult } from '../core/tasks/answer';
import type { AttentionCube, AttentionMap, AttentionMode } from '../core/tasks/attention';
import type { CharSpan } from '../core/tasks/chunking';
import type { SpanCoverage } from '../core/tasks/span-coverage';
import type { Aggregation, Classification } from '../core/tasks/classify';
import type { Embedding } from '../core/tasks/embed';
import type { ZeroShotClassification } from '../core/tasks/zero-shot';
import type { TrainingReport } from '../core/head/train-head';

/** Which model and where it runs; every task request carries it, and the worker keeps recent engines open. */
export interface ModelChoice {
  readonly modelDir: string;
  readonly provider: ProviderChoice;
  /** onnxruntime intra-op threads; its default when absent. */
  readonly threads?: number;
  /** fp32 when absent; the engine message says which precision ran, and why when it is another. */
  readonly precision?: Precision;
  /** Copy the learned position embeddings to this many tokens (checkpoint/extend-positions.ts): an approximation. */
  readonly extendPositions?: number;
  /** A folder with the tokenizer files, for checkpoints published without them (the CLI's --tokenizer); default modelDir. */
  readonly tokenizerDir?: string;
  /** The open models' weights stay within this; the least recently used model is unloaded first. Default 2 GiB. */
  readonly memoryBudgetBytes?: number;
}

/** A global-attention mark as the model sees it: its tokens, the chunks they are in, and how many chunks there are. */
export interface MarkCoverage extends SpanCoverage {
  readonly chunkCount: number;
}

/** What a checkpoint folder holds, read without loading the weights (config.json and a directory listing). */
export interface ModelCheck {
  /** The folder, or a hub id's snapshot folder in the cache. */
  readonly folder: string;
  readonly architecture: string;
  readonly head: HeadKind;
  /** False when config.json names no architectures: each task then reads it with its own head (config.ts AUTO_CLASSES). */
  readonly architectureNamed: boolean;
  readonly labels: readonly string[];
  readonly weightFiles: readonly string[];
  readonly weightBytes: number;
}

/** The document as the editor holds it: text (UTF-16 offsets are what VS Code positions use) and global spans. */
export interface DocumentParams extends ModelChoice {
  readonly text: string;
  readonly spans: readonly CharSpan[];
  /** Tokens per model input and tokens shared by consecutive chunks; the task's defaults when absent. */
  readonly maxLength?: number;
  readonly overlap?: number;
}

/** How to classify: the checkpoint's own classification head, zero-shot labels (masked-LM), or a trained head. */
export type ClassifyMethod =
  | { readonly kind: 'fine-tuned-head' }
  /** `labels` as the CLI takes them: "invoice,contract=contract|agreement". */
  | { readonly kind: 'zero-shot'; readonly labels: string; readonly template?: string; readonly calibrate?: boolean }
  | { readonly kind: 'trained-head'; readonly headDir: string };

export interface TrainHeadParams extends ModelChoice {
  /** One subfolder of text files per label. */
  readonly examplesDir: string;
  /** Where head.safetensors and head.json go. */
  readonly outDir: string;
}

export interface DownloadParams {
  /** `org/name[@revision]`. */
  readonly repo: string;
  /** From the extension's secret store; never logged. Absent: HF_TOKEN or the token file `hf auth login` writes. */
  readonly token?: string;
}

export interface DownloadSummary {
  readonly snapshotDir: string;
  readonly commit: string;
  readonly fromCache: boolean;
}

/** The model's attention shape, so a view can offer its layers and heads and draw a token's local window. */
export interface AttentionModelShape {
  readonly layers: number;
  readonly heads: number;
  /** attention_window per layer (both sides together, as in config.json). */
  readonly attentionWindow: readonly number[];
}

/** One selection's map, derived from an AttentionCubeResult in the extension (attentionMapOf), with the model's shape. */
export interface AttentionResult extends AttentionMap {
  readonly model: AttentionModelShape;
}

/** Every layer and head's map of one mode: `scores` is a layers × heads × tokens Float32Array (structured clone keeps it). */
export interface AttentionCubeResult extends AttentionCube {
  readonly model: AttentionModelShape;
}

/**
 * Method name → its params and result. Adding a method here makes both sides check it. Results carry typed arrays
 * (attention scores, probabilities): the channel uses structured-clone ("advanced") serialization, which keeps them.
 */
export interface WorkerMethods {
  modelSummary: { params: { readonly modelDir: string }; result: CheckpointInfo };
  /** The architecture and head from config.json alone (no weights read): picks how Classify Document classifies. */
  modelHead: {
    params: { readonly modelDir: string };
    result: { readonly architecture: string; readonly head: HeadKind; readonly architectureNamed: boolean };
  };
  /** Checks a folder (or hub id) is a usable checkpoint: config.json, weights and tokenizer; fails with the first problem. */
  inspectModel: { params: { readonly modelDir: string }; result: ModelCheck };
  /** How many tokens a mark makes global and in which chunks, with the model's tokenizer and chunking (no weights). */
  markCoverage: { params: { readonly modelDir: string; readonly text: string; readonly span: CharSpan }; result: MarkCoverage };
  /** Fetches a hub repository into the huggingface_hub cache; progress counts bytes of the file in transfer. */
  download: { params: DownloadParams; result: DownloadSummary };
  /** Without `method`, the checkpoint's own classification head. */
  classify: {
    params: DocumentParams & { readonly aggregate?: Aggregation; readonly method?: ClassifyMethod };
    result: Classification | ZeroShotClassification;
  };
  /** Embeds every example (progress per file, cancellable), fits and saves the head; the report says how well it does. */
  trainHead: { params: TrainHeadParams; result: TrainingReport };
  answer: {
    params: DocumentParams & { readonly question: string; readonly topK: number; readonly maxAnswerLength?: number };
    result: AnswerResult;
  };
  /** The `<s>` and mean-pooled vectors of a base model (the CLI's embed verb and its batch mode). */
  embed: { params: DocumentParams; result: Embedding };
  /**
   * One mode's maps for every layer and head at once (one model run per chunk); any layer/head selection is then
   * derived without the engine. `at`: UTF-16 offset of the token whose attention mode 'token' shows (the cursor).
   */
  attentionCube: {
    params: DocumentParams & { readonly mode: AttentionMode; readonly at?: number };
    result: AttentionCubeResult;
  };
}

export type MethodName = keyof WorkerMethods;

export interface RequestMessage<M extends MethodName = MethodName> {
  readonly kind: 'request';
  readonly id: number;
  readonly method: M;
  readonly params: WorkerMethods[M]['params'];
}

export interface CancelMessage {
  readonly kind: 'cancel';
  readonly id: number;
}

export type ToWorker = RequestMessage | CancelMessage;

export interface ProgressMessage {
  readonly kind: 'progress';
  readonly id: number;
  readonly done: number;
  readonly total: number;
  readonly message: string;
}

/** The answer to a request of method M, typed by WorkerMethods; `method` lets the receiver check which it got. */
export interface ResultMessage<M extends MethodName = MethodName> {
  readonly kind: 'result';
  readonly id: number;
  readonly method: M;
  readonly result: WorkerMethods[M]['result'];
}

/** Narrows a result to the method the request was for. */
export function isResultOf<M extends MethodName>(message: ResultMessage, method: M): message is ResultMessage<M> {
  return message.method === method;
}

/** What a task's engine runs on, sent once per task request when its model is open, before the first chunk. */
export interface EngineInfo {
  readonly modelDir: string;
  /** The execution provider that runs ("cpu", "cuda", ...). */
  readonly provider: string;
  /** Why that is not the provider asked for (a CPU fallback), when it is not. */
  readonly providerNote?: string;
  /** The precision that runs. */
  readonly precision: Precision;
  /** Why that is not the precision asked for (fp16 on the CPU or without shader-f16), when it is not. */
  readonly precisionNote?: string;
  /** Set when the results are an approximation (extended positions), in words for the user. */
  readonly approximation?: string;
}

export interface EngineMessage {
  readonly kind: 'engine';
  readonly id: number;
  readonly engine: EngineInfo;
}

/**
 * INTERNAL: a bug in the engine (the detail has the stack). WORKER_DIED: the engine process stopped while requests
 * were running (out of memory, a native crash); the extension starts a new one on the next request.
 */
export type WorkerErrorCode = LensErrorCode | 'INTERNAL' | 'WORKER_DIED';

export interface SerializedError {
  readonly code: WorkerErrorCode;
  readonly message: string;
  readonly hint?: string;
  readonly detail?: string;
}

export interface ErrorMessage {
  readonly kind: 'error';
  readonly id: number;
  readonly error: SerializedError;
}

export type FromWorker = ProgressMessage | EngineMessage | ResultMessage | ErrorMessage;
