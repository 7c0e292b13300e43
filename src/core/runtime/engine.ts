// What the document tasks need from the engine: run a batch of token ids through the model and get named outputs.
// The implementation (onnxruntime session over the generated graph) lives beside this file.
import type { LongformerConfig } from '../checkpoint/config';
import type { FloatTensor } from '../checkpoint/tensor';
import type { TokenScorePart } from '../graph/longformer/token-scores';
import type { Precision } from '../precision';

export type OutputName =
  'last_hidden_state' | 'pooler_output' | 'logits' | 'start_logits' | 'end_logits' | 'attentions' | 'global_attentions';

export const OUTPUT_NAMES: readonly OutputName[] = [
  'last_hidden_state',
  'pooler_output',
  'logits',
  'start_logits',
  'end_logits',
  'attentions',
  'global_attentions',
];

/** One batch, row-major (batch, seqLen). Masks use HuggingFace's values: attention 0/1, global 0/1. */
export interface ModelInputs {
  readonly batchSize: number;
  readonly seqLen: number;
  readonly inputIds: BigInt64Array;
  readonly attentionMask: BigInt64Array;
  readonly globalAttentionMask: BigInt64Array;
}

/**
 * Asks for fewer layers of `attentions` / `global_attentions` than all. What a run fetches is what it holds
 * in memory: for the base model at 4,096 tokens one layer's per-head attentions take about 100 MB.
 */
export interface AttentionFetch {
  /** Only these layers (distinct, ascending); default every layer. ModelOutputs.attentionLayers names them. */
  readonly layers?: readonly number[];
}

/**
 * One layer's per-token attention sums for every head (graph/longformer/token-scores.ts says what each holds), each
 * (batch, heads, ...). From them every attention map of the overlay is made for any layer and head without another run.
 */
export type TokenScoreTensors = Readonly<Record<TokenScorePart, FloatTensor>>;

export interface RunOptions {
  readonly attentions?: AttentionFetch;
  /**
   * Every layer's TokenScoreTensors instead of `attentions` (which the run must not ask for then); `query` is the
   * position whose own attention row comes too (any position when no row is needed).
   */
  readonly tokenScores?: { readonly query: number };
  /**
   * Masked-LM heads: compute `logits` at these positions of every row only, (batch, positions, vocab), instead of
   * (batch, seqLen, vocab), which is 820 MB at 4,096 tokens for the base model. Without it a run that fetches `logits`
   * gets every position and one that does not computes none.
   */
  readonly logitPositions?: readonly number[];
}

/** Where and how a run ran, and why that differs from what was asked, when it does. */
export interface RunInfo {
  /** The execution provider that actually ran ("cpu", "cuda", ...). */
  readonly provider: string;
  /** The precision that actually ran. */
  readonly precision: Precision;
  /** Why the provider differs from the one asked for (it failed to start, or `auto` passed over a software adapter). */
  readonly providerNote?: string;
  /** Why the precision differs from the one asked for (no fp16 on this provider or adapter). */
  readonly precisionNote?: string;
  /**
   * Set when the numbers are an approximation, in words for the user: positions extended past the checkpoint's
   * (`--extend-positions`, checkpoint/extend-positions.ts makes the sentence). Every result that carries RunInfo
   * carries it, so every output (JSON, batch lines, the extension) can say so beside the numbers.
   */
  readonly approximation?: string;
}

export interface ModelOutputs extends RunInfo {
  /** Plain outputs by name (last_hidden_state, logits, ...), each as HuggingFace shapes it. */
  readonly tensors: ReadonlyMap<OutputName, FloatTensor>;
  /** Per layer: (batch, heads, seqLen, x + window + 1); present when asked for. */
  readonly attentions?: readonly FloatTensor[];
  /** Per layer: (batch, heads, paddedSeqLen, x); present when asked for and the batch has a global token. */
  readonly globalAttentions?: readonly FloatTensor[];
  /** The layer of each entry of `attentions` and `globalAttentions`; present with either of them. */
  readonly attentionLayers?: readonly number[];
  /** Per layer, every layer: present when RunOptions.tokenScores asked for them. */
  readonly tokenScores?: readonly TokenScoreTensors[];
}

export interface Engine {
  readonly config: LongformerConfig;
  /**
   * Runs one batch; `outputs` names what to compute (attentions cost extra and are built only when asked);
   * `options.attentions` narrows the attentions to some layers; `options.tokenScores` gives every layer and head's per-token sums instead.
   */
  run(inputs: ModelInputs, outputs: readonly OutputName[], options?: RunOptions): Promise<ModelOutputs>;
  dispose(): Promise<void>;
}
