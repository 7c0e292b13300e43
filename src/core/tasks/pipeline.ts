// The shared part of every document task: tokenize once, cut into chunks, mark global tokens, build each chunk's model
// input, and run the chunks one by one with progress and cancellation. The engine is called in `runChunks` only.
import type { LongformerConfig } from '../checkpoint/config';
import { documentGlobalAttention, maxInputLength } from '../checkpoint/model-rules';
import { LensError, throwIfCancelled } from '../errors';
import type { Engine, ModelInputs, ModelOutputs, OutputName, RunInfo, RunOptions } from '../runtime/engine';
import type { RobertaTokenizer, Tokenized, TokenSpans } from '../tokenizer/tokenizer';
import { type CharSpan, type Chunk, planChunks, spanTokenMask, validateSpans } from './chunking';
import { checkDocumentText } from './document';

export interface Progress {
  readonly done: number;
  readonly total: number;
}

export interface DocumentTaskOptions {
  /** UTF-16 ranges of the document whose tokens get global attention (added to the task's default globals). */
  readonly spans?: readonly CharSpan[];
  /** Tokens per model input, special tokens included; at most (and by default) the model's (model-rules.ts maxInputLength). */
  readonly maxLength?: number;
  /** Document tokens shared by consecutive chunks; default an eighth of a chunk. */
  readonly overlap?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

/** One model input: a chunk of the document wrapped in special tokens (and after the question, for QA). */
export interface ChunkInput {
  readonly chunk: Chunk;
  readonly ids: Int32Array;
  /** Document token index at each position; -1 for special tokens and question tokens. */
  readonly documentToken: Int32Array;
  /** 1 where the position is part of the question (QA only). */
  readonly question: Uint8Array;
  /** 1 where the position gets global attention. */
  readonly global: Uint8Array;
}

export interface PreparedDocument {
  readonly tokens: Tokenized;
  readonly chunks: readonly Chunk[];
  readonly inputs: readonly ChunkInput[];
  /** Document tokens marked global by the caller's spans (doc token indices, ascending). */
  readonly spanTokens: Int32Array;
  readonly warnings: readonly string[];
}

/** Longest input the model takes (the rule and its source: checkpoint/model-rules.ts). */
export function modelMaxLength(config: LongformerConfig): number {
  return maxInputLength(config);
}

/** The tokens per model input to use: the caller's choice (checked) or the model's limit. */
export function checkMaxLength(config: LongformerConfig, requested: number | undefined): number {
  const limit = modelMaxLength(config);
  const maxLength = requested ?? limit;
  if (!Number.isInteger(maxLength) || maxLength < 3 || maxLength > limit) {
    throw new LensError('BAD_ARGUMENT', `maximum length ${maxLength} must be an integer from 3 to ${limit} (the model's limit).`);
  }
  return maxLength;
}

export function prepareDocument(
  config: LongformerConfig,
  tokenizer: RobertaTokenizer,
  text: string,
  options: DocumentTaskOptions,
  question?: TokenSpans,
): PreparedDocument {
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new LensError(
      'BAD_TOKENIZER',
      `the tokenizer has ${tokenizer.vocabSize} tokens but the model only ${config.vocabSize}; they do not belong together.`,
      'Use the tokenizer files published with the checkpoint.',
    );
  }
  // Editor buffers come here without passing readDocument: the same checks (empty, whitespace, NUL, size) apply.
  checkDocumentText(text, 'the document');
  const maxLength = checkMaxLength(config, options.maxLength);
  const questionLength = question?.ids.length ?? 0;
  const specials = question === undefined ? 2 : 4;
  const content = maxLength - questionLength - specials;
  if (content < 1) {
    throw new LensError(
      'INPUT_TOO_LONG',
      `the question takes ${questionLength} tokens, which leaves no room for the document in a ${maxLength}-token input.`,
      'Ask a shorter question.',
    );
  }
  const spans = options.spans ?? [];
  validateSpans(spans, text.length);
  const tokens = tokenizer.tokenize(text);
  const chunkOptions = options.overlap === undefined ? { maxTokens: content } : { maxTokens: content, overlap: options.overlap };
  const chunks = planChunks(tokens, text, chunkOptions);
  const spanMask = spanTokenMask(tokens, spans);
  const inputs = chunks.map((chunk) => buildChunkInput(config, tokenizer, tokens, chunk, spanMask, question));
  const spanTokens: number[] = [];
  spanMask.forEach((flag, i) => {
    if (flag === 1) spanTokens.push(i);
  });
  return { tokens, chunks, inputs, spanTokens: Int32Array.from(spanTokens), warnings: globalWarnings(inputs) };
}

/**
 * `<s> chunk </s>`, or `<s> question </s></s> chunk </s>` for QA. Default globals: documentGlobalAttention
 * (checkpoint/model-rules.ts), i.e. HuggingFace's (`<s>` for classification, `<s>` and the question for QA) and `<s>`
 * for the other heads; then the caller's spans.
 */
export function buildChunkInput(
  config: LongformerConfig,
  tokenizer: RobertaTokenizer,
  tokens: TokenSpans,
  chunk: Chunk,
  spanMask: Uint8Array,
  question?: TokenSpans,
): ChunkInput {
  const piece: TokenSpans = {
    ids: tokens.ids.subarray(chunk.tokenStart, chunk.tokenEnd),
    starts: tokens.starts.subarray(chunk.tokenStart, chunk.tokenEnd),
    ends: tokens.ends.subarray(chunk.tokenStart, chunk.tokenEnd),
  };
  const encoding = tokenizer.withSpecials(question === undefined ? [piece] : [question, piece]);
  const length = encoding.ids.length;
  const documentSequence = question === undefined ? 0 : 1;
  const documentToken = new Int32Array(length).fill(-1);
  const questionMask = new Uint8Array(length);
  const global = documentGlobalAttention(config, encoding.ids);
  let next = chunk.tokenStart;
  for (let p = 0; p < length; p += 1) {
    const sequence = encoding.sequenceIds[p];
    if (sequence === documentSequence) {
      documentToken[p] = next;
      if (spanMask[next] === 1) global[p] = 1;
      next += 1;
    } else if (question !== undefined && sequence === 0) {
      questionMask[p] = 1;
    }
  }
  return { chunk, ids: encoding.ids, documentToken, question: questionMask, global };
}

function globalWarnings(inputs: readonly ChunkInput[]): string[] {
  let worst = 0;
  let worstLength = 0;
  let crowded = 0;
  for (const input of inputs) {
    const count = input.global.reduce((sum, flag) => sum + flag, 0);
    if (count * 4 > input.ids.length) {
      crowded += 1;
      if (count * worstLength >= worst * input.ids.length) {
        worst = count;
        worstLength = input.ids.length;
      }
    }
  }
  if (crowded === 0) return [];
  return [
    `${crowded} of ${inputs.length} chunk(s) have more than a quarter of their tokens global (up to ${worst} of ${worstLength}); ` +
      'global attention costs time and memory per token and dilutes what the globals mean. Mark shorter spans.',
  ];
}

/** A chunk as the engine takes it: a batch of one, every position real. */
export function toModelInputs(input: ChunkInput): ModelInputs {
  const n = input.ids.length;
  const inputIds = new BigInt64Array(n);
  const globalAttentionMask = new BigInt64Array(n);
  for (let i = 0; i < n; i += 1) {
    inputIds[i] = BigInt(input.ids[i]!);
    globalAttentionMask[i] = BigInt(input.global[i]!);
  }
  return { batchSize: 1, seqLen: n, inputIds, attentionMask: new BigInt64Array(n).fill(1n), globalAttentionMask };
}

/**
 * Runs the chunks one at a time, in order: `reduce` turns each chunk's outputs into what the task keeps, so large
 * outputs (attentions) are dropped before the next chunk runs. Checks for cancellation before every chunk.
 * `options.run` goes to every engine run (which attentions to fetch).
 */
export async function runChunks<T>(
  engine: Engine,
  inputs: readonly ChunkInput[],
  outputs: readonly OutputName[],
  options: Pick<DocumentTaskOptions, 'signal' | 'onProgress'> & { readonly run?: RunOptions },
  reduce: (input: ChunkInput, result: ModelOutputs) => T,
): Promise<{ results: T[] } & RunInfo> {
  const results: T[] = [];
  let info: RunInfo = { provider: '', precision: 'fp32' };
  options.onProgress?.({ done: 0, total: inputs.length });
  for (const input of inputs) {
    throwIfCancelled(options.signal);
    const result = await engine.run(toModelInputs(input), outputs, options.run);
    info = runInfo(result);
    results.push(reduce(input, result));
    options.onProgress?.({ done: results.length, total: inputs.length });
  }
  return { results, ...info };
}

/** The RunInfo fields of a run's outputs. */
export function runInfo(result: RunInfo): RunInfo {
  const { provider, precision, providerNote, precisionNote, approximation } = result;
  return {
    provider,
    precision,
    ...(providerNote === undefined ? {} : { providerNote }),
    ...(precisionNote === undefined ? {} : { precisionNote }),
    ...(approximation === undefined ? {} : { approximation }),
  };
}

/** An output the engine was asked for and did not give: a bug in the engine, not in the user's input. */
export function requireTensor(result: ModelOutputs, name: OutputName): Float32Array {
  const tensor = result.tensors.get(name);
  if (tensor === undefined) throw new LensError('RUNTIME_FAILED', `the model returned no ${name} output.`);
  return tensor.data;
}

/** The head check every task starts with. */
export function requireHead(config: LongformerConfig, heads: readonly LongformerConfig['head'][], task: string): void {
  if (!heads.includes(config.head)) {
    throw new LensError(
      'WRONG_HEAD',
      `${task} needs a model with a ${heads.join(' or ')} head; this checkpoint is ${config.architecture} (${config.head}).`,
      'Pick a checkpoint fine-tuned for the task.',
    );
  }
}
