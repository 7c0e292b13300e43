// The tensors a Longformer checkpoint must hold, by canonical name, with their shapes. Names follow HuggingFace's
// modeling_longformer.py state_dict with the `longformer.` prefix removed; linear weights are [out, in].
import type { LongformerConfig } from './config';

/** Names of the optional pooler, which a bare model saved with add_pooling_layer=False lacks. */
export const POOLER_NAMES: readonly string[] = ['pooler.dense.weight', 'pooler.dense.bias'];

/** Canonical tensor name → shape, in state_dict order: embeddings, layers, then the head. */
export function expectedTensorShapes(config: LongformerConfig): Map<string, number[]> {
  const H = config.hiddenSize;
  const shapes = new Map<string, number[]>();
  const linear = (name: string, outFeatures: number, inFeatures: number): void => {
    shapes.set(`${name}.weight`, [outFeatures, inFeatures]);
    shapes.set(`${name}.bias`, [outFeatures]);
  };
  const layerNorm = (name: string): void => {
    shapes.set(`${name}.weight`, [H]);
    shapes.set(`${name}.bias`, [H]);
  };

  shapes.set('embeddings.word_embeddings.weight', [config.vocabSize, H]);
  shapes.set('embeddings.position_embeddings.weight', [config.maxPositionEmbeddings, H]);
  shapes.set('embeddings.token_type_embeddings.weight', [config.typeVocabSize, H]);
  layerNorm('embeddings.LayerNorm');

  for (let layer = 0; layer < config.numHiddenLayers; layer += 1) {
    const prefix = `encoder.layer.${layer}`;
    for (const projection of ['query', 'key', 'value', 'query_global', 'key_global', 'value_global']) {
      linear(`${prefix}.attention.self.${projection}`, H, H);
    }
    linear(`${prefix}.attention.output.dense`, H, H);
    layerNorm(`${prefix}.attention.output.LayerNorm`);
    linear(`${prefix}.intermediate.dense`, config.intermediateSize, H);
    linear(`${prefix}.output.dense`, H, config.intermediateSize);
    layerNorm(`${prefix}.output.LayerNorm`);
  }

  const numLabels = config.id2label.length;
  switch (config.head) {
    case 'base':
      linear('pooler.dense', H, H);
      break;
    case 'sequence-classification':
      // LongformerClassificationHead: dense + tanh on token 0, then out_proj to the labels.
      linear('classifier.dense', H, H);
      linear('classifier.out_proj', numLabels, H);
      break;
    case 'token-classification':
      linear('classifier', numLabels, H);
      break;
    case 'question-answering':
      // Start and end logits.
      linear('qa_outputs', 2, H);
      break;
    case 'masked-lm':
      // LongformerLMHead: dense + gelu + layer_norm, then the decoder to the vocabulary (its bias is lm_head.bias).
      linear('lm_head.dense', H, H);
      shapes.set('lm_head.layer_norm.weight', [H]);
      shapes.set('lm_head.layer_norm.bias', [H]);
      shapes.set('lm_head.decoder.weight', [config.vocabSize, H]);
      shapes.set('lm_head.decoder.bias', [config.vocabSize]);
      shapes.set('lm_head.bias', [config.vocabSize]);
      break;
  }
  return shapes;
}
