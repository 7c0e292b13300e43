// Every message between the extension and the engine worker, declared once and imported by both sides.
// Transport: Node's child-process IPC channel with structured-clone serialization; one request → zero or more
// progress messages → one reply.
import type { CheckpointInfo } from '../core/checkpoint/describe';
import type { LensErrorCode } from '../core/errors';
import type { ProviderChoice } from '../core/runtime/provider-choice';
import type { AnswerResult } from '../core/tasks/answer';
import type { AttentionMap, AttentionMode, AttentionSelection } from '../core/tasks/attention';
import type { CharSpan } from '../core/tasks/chunking';
import type { Classification } from '../core/tasks/classify';

/** Which model and where it runs; every task request carries it, and the worker keeps the last engine open. */
export interface ModelChoice {
  readonly modelDir: string;
  readonly provider: ProviderChoice;
  /** onnxruntime intra-op threads; its default when absent. */
  readonly threads?: number;
}

/** The document as the editor holds it: text (UTF-16 offsets are what VS Code positions use) and global spans. */
export interface DocumentParams extends ModelChoice {
  readonly text: string;
  readonly spans: readonly CharSpan[];
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

/**
 * Method name → its params and result. Adding a method here makes both sides check it. Results carry typed arrays
 * (attention scores, probabilities): the channel uses structured-clone ("advanced") serialization, which keeps them.
 */
export interface WorkerMethods {
  modelSummary: { params: { readonly modelDir: string }; result: CheckpointInfo };
  /** Fetches a hub repository into the huggingface_hub cache; progress counts bytes of the file in transfer. */
  download: { params: DownloadParams; result: DownloadSummary };
  classify: { params: DocumentParams; result: Classification };
  answer: { params: DocumentParams & { readonly question: string; readonly topK: number }; result: AnswerResult };
  attention: {
    /** `at`: UTF-16 offset of the token whose attention mode 'token' shows (the editor's cursor). */
    params: DocumentParams & AttentionSelection & { readonly mode: AttentionMode; readonly at?: number };
    result: AttentionMap;
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

export interface ResultMessage {
  readonly kind: 'result';
  readonly id: number;
  readonly result: unknown;
}

export interface SerializedError {
  readonly code: LensErrorCode | 'INTERNAL';
  readonly message: string;
  readonly hint?: string;
  readonly detail?: string;
}

export interface ErrorMessage {
  readonly kind: 'error';
  readonly id: number;
  readonly error: SerializedError;
}

export type FromWorker = ProgressMessage | ResultMessage | ErrorMessage;
