// Document embeddings: the `<s>` vector (with `<s>` global, the default) and the mean of the token vectors, from
// last_hidden_state, which every head offers (a base model, a masked-LM checkpoint, a fine-tune).
// Over several chunks: the mean vector averages every document token once (from the chunk that owns it, see
// chunkOwnership); the `<s>` vector is the chunks' `<s>` vectors averaged with weights = tokens owned.
import type { Engine, RunInfo } from '../runtime/engine';
import type { RobertaTokenizer } from '../tokenizer/tokenizer';
import { chunkOwnership } from './chunking';
import { type DocumentTaskOptions, prepareDocument, requireTensor, runChunks, runInfo } from './pipeline';

/** One chunk's own vectors: its `<s>` vector and the mean over the tokens it owns. */
export interface ChunkEmbedding {
  readonly start: number;
  readonly end: number;
  readonly cls: Float32Array;
  readonly mean: Float32Array;
}

export interface Embedding extends RunInfo {
  readonly cls: Float32Array;
  readonly mean: Float32Array;
  readonly chunks: number;
  readonly chunkEmbeddings: readonly ChunkEmbedding[];
}

export async function embed(
  engine: Engine,
  tokenizer: RobertaTokenizer,
  document: string,
  options: DocumentTaskOptions = {},
): Promise<Embedding> {
  const config = engine.config;
  const hidden = config.hiddenSize;
  const prepared = prepareDocument(config, tokenizer, document, options);
  const owners = chunkOwnership(prepared.chunks);
  const cls = new Float64Array(hidden);
  const mean = new Float64Array(hidden);
  let counted = 0;
  const ran = await runChunks(engine, prepared.inputs, ['last_hidden_state'], options, (input, result): ChunkEmbedding => {
    const states = requireTensor(result, 'last_hidden_state'); // (1, seq, hidden)
    const own = owners[input.chunk.index]!;
    const owned = Math.max(1, own.end - own.start);
    for (let d = 0; d < hidden; d += 1) cls[d]! += owned * states[d]!;
    const chunkMean = new Float64Array(hidden);
    let chunkCounted = 0;
    input.documentToken.forEach((token, p) => {
      if (token < own.start || token >= own.end) return;
      for (let d = 0; d < hidden; d += 1) chunkMean[d]! += states[p * hidden + d]!;
      chunkCounted += 1;
    });
    for (let d = 0; d < hidden; d += 1) mean[d]! += chunkMean[d]!;
    counted += chunkCounted;
    const chunkCls = Float32Array.from(states.subarray(0, hidden));
    return {
      start: input.chunk.charStart,
      end: input.chunk.charEnd,
      cls: chunkCls,
      mean: chunkCounted === 0 ? chunkCls : Float32Array.from(chunkMean, (v) => v / chunkCounted),
    };
  });
  const clsWeight = owners.reduce((sum, own) => sum + Math.max(1, own.end - own.start), 0);
  return {
    cls: Float32Array.from(cls, (v) => v / clsWeight),
    mean: counted === 0 ? Float32Array.from(cls, (v) => v / clsWeight) : Float32Array.from(mean, (v) => v / counted),
    chunks: prepared.chunks.length,
    chunkEmbeddings: ran.results,
    ...runInfo(ran),
  };
}
