// Classification with a head trained by train-head: the document's features (the same recipe as training, over
// chunks for long documents) through the linear head. The document's logits come from the document's features,
// as in training; each chunk's probabilities from that chunk's own features; 'max' takes each label's largest
// chunk logit instead.
import type { Engine } from '../runtime/engine';
import { aggregateClassification, type Classification, type ClassifyOptions } from '../tasks/classify';
import { embed } from '../tasks/embed';
import { prepareDocument, runInfo } from '../tasks/pipeline';
import type { RobertaTokenizer } from '../tokenizer/tokenizer';
import type { TrainedHead } from './head-file';
import { headLogits } from './logistic-regression';
import { documentFeatures } from './train-head';

export async function classifyWithHead(
  engine: Engine,
  tokenizer: RobertaTokenizer,
  document: string,
  trained: TrainedHead,
  options: ClassifyOptions = {},
): Promise<Classification> {
  const { head, info } = trained;
  const maxLength = options.maxLength ?? info.features.maxLength;
  const taskOptions = { ...options, ...(maxLength === undefined ? {} : { maxLength }) };
  // Spans and warnings as the other methods report them.
  const prepared = prepareDocument(engine.config, tokenizer, document, taskOptions);
  const embedding = await embed(engine, tokenizer, document, taskOptions);
  const chunkLogits = embedding.chunkEmbeddings.map((chunk) => headLogits(head, documentFeatures(chunk)));
  const ranges = embedding.chunkEmbeddings.map((chunk) => ({ start: chunk.start, end: chunk.end }));
  const aggregate = options.aggregate ?? 'mean';
  const documentLogits = aggregate === 'max' ? chunkLogits : [headLogits(head, documentFeatures(embedding))];
  const result = aggregateClassification(documentLogits, ranges, info.labels, 'softmax', aggregate);
  const chunks = aggregateClassification(chunkLogits, ranges, info.labels, 'softmax').chunks;
  return {
    ...result,
    chunks,
    method: 'trained-head',
    globalTokens: prepared.spanTokens.length,
    warnings: prepared.warnings,
    ...runInfo(embedding),
  };
}
