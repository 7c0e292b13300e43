// A checkpoint folder the document verbs can use: a synthetic random-weight model whose vocabulary covers the fixture
// tokenizer (50,262 tokens; RoBERTa's 50,265), with the tokenizer files copied beside config.json.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HeadKind } from '../../src/core/checkpoint/config';
import { syntheticConfig, writeSyntheticCheckpoint } from '../../src/core/checkpoint/synthetic';

const TOKENIZER_FILES = ['vocab.json', 'merges.txt', 'special_tokens_map.json', 'tokenizer_config.json'];
export const FIXTURE_TOKENIZER = join(__dirname, '..', 'fixtures', 'roberta-bpe');

export async function writeTaskCheckpoint(
  dir: string,
  head: HeadKind,
  seed: number,
  options: { maxPositionEmbeddings?: number; attentionWindow?: number; labels?: readonly string[] } = {},
): Promise<void> {
  const config = syntheticConfig({
    head,
    numHiddenLayers: 2,
    hiddenSize: 32,
    numAttentionHeads: 4,
    intermediateSize: 64,
    attentionWindow: options.attentionWindow ?? 16,
    vocabSize: 50265,
    maxPositionEmbeddings: options.maxPositionEmbeddings ?? 130,
    ...(options.labels === undefined ? {} : { labels: options.labels }),
  });
  await writeSyntheticCheckpoint(dir, config, seed);
  for (const file of TOKENIZER_FILES) copyFileSync(join(FIXTURE_TOKENIZER, file), join(dir, file));
}
