// Document embeddings from a base model (LongformerModel): the `<s>` vector and the mean of the token vectors.
// Over several chunks: the mean vector averages every document token once (from the chunk that owns it, see
// chunkOwnership); the `<s>` vector is the chunks' `<s>` vectors averaged with weights = tokens owned.
import type { Engine } from '../runtime/engine';
import type { RobertaTokenizer } from '../tokenizer/tokenizer';
import { chunkOwnership } from './chunking';
import { type DocumentTaskOptions, prepareDocument, requireHead, requireTensor, runChunks } from './pipeline';
import type { Precision } from '../precision';

export interface Embedding {
  readonly cls: Float32Array;
  readonly mean: Float32Array;
  readonly chunks: number;
  readonly provider: string;
  /** The precision that ran. */
  readonly precision: Precision;
}

export async function embed(
  engine: Engine,
  tokenizer: RobertaTokenizer,
  document: string,
  options: DocumentTaskOptions = {},
): Promise<Embedding> {
  const config = engine.config;
  requireHead(config, ['base'], 'Embedding');
  const hidden = config.hiddenSize;
  const prepared = prepareDocument(config, tokenizer, document, options);
  const owners = chunkOwnership(prepared.chunks);
  const cls = new Float64Array(hidden);
  const mean = new Float64Array(hidden);
  let counted = 0;
  const ran = await runChunks(engine, prepared.inputs, ['last_hidden_state'], options, (input, result) => {
    const states = requireTensor(result, 'last_hidden_state'); // (1, seq, hidden)
    const own = owners[input.chunk.index]!;
    const owned = Math.max(1, own.end - own.start);
    for (let d = 0; d < hidden; d += 1) cls[d]! += owned * states[d]!;
    input.documentToken.forEach((token, p) => {
      if (token < own.start || token >= own.end) return;
      for (let d = 0; d < hidden; d += 1) mean[d]! += states[p * hidden + d]!;
      counted += 1;
    });
  });
  const clsWeight = owners.reduce((sum, own) => sum + Math.max(1, own.end - own.start), 0);
  return {
    cls: Float32Array.from(cls, (v) => v / clsWeight),
    mean: counted === 0 ? Float32Array.from(cls, (v) => v / clsWeight) : Float32Array.from(mean, (v) => v / counted),
    chunks: prepared.chunks.length,
    provider: ran.provider,
    precision: ran.precision,
  };
}
