// The typed form of a Longformer checkpoint's config.json. Parsing and validation: parseLongformerConfig.

/** The task head on top of the encoder, chosen from config.json's `architectures`. */
export type HeadKind = 'base' | 'sequence-classification' | 'question-answering' | 'token-classification' | 'masked-lm';

export interface LongformerConfig {
  readonly modelType: 'longformer';
  /** `architectures[0]`, e.g. "LongformerForQuestionAnswering"; "LongformerModel" when absent. */
  readonly architecture: string;
  readonly head: HeadKind;
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
  /** Label names by class index (classification heads), from `id2label`. */
  readonly id2label: readonly string[];
  readonly problemType?: 'single_label_classification' | 'multi_label_classification' | 'regression';
}
