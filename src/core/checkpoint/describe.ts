// What a checkpoint is, as the CLI's `info` and the extension's model summary show it.
import type { Checkpoint } from './load';
import { maxInputLength } from './model-rules';

/** The facts `info` prints (`--json` prints this object as is) and the extension shows. */
export interface CheckpointInfo {
  readonly folder: string;
  readonly architecture: string;
  readonly head: string;
  readonly labels: readonly string[];
  readonly layers: number;
  readonly hiddenSize: number;
  readonly attentionHeads: number;
  readonly intermediateSize: number;
  readonly attentionWindow: readonly number[];
  readonly attentionDilation: readonly number[];
  readonly maxPositionEmbeddings: number;
  /** The longest input in tokens, special tokens included (model-rules.ts maxInputLength). */
  readonly maxInputLength: number;
  readonly vocabSize: number;
  readonly parameterCount: number;
  readonly weightFormat: string;
  readonly weightFiles: readonly string[];
  readonly weightDtype: string;
  /** Tensors in the weight files that the model leaves out, by stored name, with the reason. */
  readonly ignoredTensors: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
  /** How the checkpoint was read, where the user should know (a narrowed dtype, how the head was chosen). */
  readonly notes: readonly string[];
}

export function describeCheckpoint(folder: string, checkpoint: Checkpoint): CheckpointInfo {
  const { config } = checkpoint;
  return {
    folder,
    architecture: config.architecture,
    head: config.head,
    labels: config.id2label,
    layers: config.numHiddenLayers,
    hiddenSize: config.hiddenSize,
    attentionHeads: config.numAttentionHeads,
    intermediateSize: config.intermediateSize,
    attentionWindow: config.attentionWindow,
    attentionDilation: config.attentionDilation,
    maxPositionEmbeddings: config.maxPositionEmbeddings,
    maxInputLength: maxInputLength(config),
    vocabSize: config.vocabSize,
    parameterCount: checkpoint.parameterCount,
    weightFormat: checkpoint.format,
    weightFiles: checkpoint.files,
    weightDtype: checkpoint.sourceDtype,
    ignoredTensors: checkpoint.ignoredTensors,
    notes: checkpoint.notes,
  };
}
