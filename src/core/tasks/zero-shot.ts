// Zero-shot classification with a masked-LM checkpoint (allenai/longformer-base-4096 is one): the model reads
// `<s> template </s></s> chunk </s>` with `<s>` and the template's `<mask>` global, so the mask sees the whole chunk,
// and each label is scored by how likely its words are at the mask (the PET / LM-BFF recipe,
// https://arxiv.org/abs/2001.07676).
// - A word of several tokens scores the mean log-probability of its tokens at the mask; a label with synonyms takes
//   the log of the summed probabilities of its words (logsumexp), so a synonym can only add evidence.
// - Contextual calibration (Zhao et al. 2021, https://arxiv.org/abs/2102.09690): the same prompt is run on a
//   content-free input ("N/A"), and its label scores are subtracted from every chunk's. That is dividing by the
//   content-free probabilities, so a label the model prefers a priori no longer wins by default; on the content-free
//   input itself every label ties.
// - Chunks: the calibrated label scores play the part of a classifier's logits and are aggregated as classify does.
import { maxInputLength } from '../checkpoint/model-rules';
import { LensError } from '../errors';
import type { Engine, RunInfo } from '../runtime/engine';
import type { RobertaTokenizer } from '../tokenizer/tokenizer';
import { aggregateClassification, type Classification, type ClassifyOptions } from './classify';
import { type ChunkInput, prepareDocument, requireHead, requireTensor, runChunks, runInfo } from './pipeline';
import { buildPrompt, DEFAULT_TEMPLATE, type LabelSpec, type ZeroShotLabel, type ZeroShotPrompt } from './zero-shot-prompt';

/** The content-free input of contextual calibration (the paper's first choice). */
export const CONTENT_FREE_TEXT = 'N/A';

export interface ZeroShotOptions extends ClassifyOptions {
  /** A prompt with one `<mask>`; default DEFAULT_TEMPLATE. */
  readonly template?: string;
  /** Subtract the content-free scores (default true). */
  readonly calibrate?: boolean;
}

export interface Calibration {
  readonly applied: boolean;
  /** The content-free input the scores were measured on. */
  readonly input: string;
  /** Per label: its score (log-probability of its words at the mask) on the content-free input. */
  readonly scores: Float32Array;
  /** Softmax of `scores`: how much the model prefers each label before reading anything. */
  readonly probabilities: Float32Array;
}

export interface ZeroShotClassification extends Classification {
  readonly method: 'zero-shot';
  readonly template: string;
  /** Per label, aggregated over chunks like the logits, before calibration. */
  readonly rawScores: Float32Array;
  readonly calibration: Calibration;
}

/** log-softmax of one row of vocabulary logits, in float64. */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i += 1) max = Math.max(max, logits[i]!);
  let sum = 0;
  for (let i = 0; i < logits.length; i += 1) sum += Math.exp(logits[i]! - max);
  const logZ = max + Math.log(sum);
  return Float64Array.from({ length: logits.length }, (_, i) => logits[i]! - logZ);
}

function logSumExp(values: readonly number[]): number {
  const max = Math.max(...values);
  return max + Math.log(values.reduce((sum, value) => sum + Math.exp(value - max), 0));
}

/** The pure scoring step: one mask position's vocabulary logits to one score per label. */
export function labelScores(maskLogits: ArrayLike<number>, labels: readonly ZeroShotLabel[]): Float32Array {
  const logProbs = logSoftmax(maskLogits);
  return Float32Array.from(labels, (label) =>
    logSumExp(label.verbalizers.map((word) => word.ids.reduce((sum, id) => sum + logProbs[id]!, 0) / word.ids.length)),
  );
}

export async function zeroShotClassify(
  engine: Engine,
  tokenizer: RobertaTokenizer,
  document: string,
  labelSpecs: readonly LabelSpec[],
  options: ZeroShotOptions = {},
): Promise<ZeroShotClassification> {
  const config = engine.config;
  requireHead(config, ['masked-lm'], 'Zero-shot classification');
  const prompt = buildPrompt(tokenizer, options.template ?? DEFAULT_TEMPLATE, labelSpecs);
  for (const label of prompt.labels) {
    for (const word of label.verbalizers) {
      const outside = word.ids.find((id) => id >= config.vocabSize);
      if (outside !== undefined)
        throw new LensError(
          'BAD_TOKENIZER',
          `token ${outside} of "${word.text}" is outside the model's vocabulary of ${config.vocabSize}.`,
        );
    }
  }
  const calibrate = options.calibrate ?? true;
  const contentFree = await scoreChunks(
    engine,
    tokenizer,
    CONTENT_FREE_TEXT,
    prompt,
    options.signal === undefined ? {} : { signal: options.signal },
  );
  const cfScores = contentFree.scores[0]!;
  const prepared = await scoreChunks(engine, tokenizer, document, prompt, options);
  const calibrated = prepared.scores.map((scores) => (calibrate ? scores.map((score, i) => score - cfScores[i]!) : scores));
  const names = prompt.labels.map((label) => label.name);
  const ranges = prepared.inputs.map((input) => ({ start: input.chunk.charStart, end: input.chunk.charEnd }));
  const aggregate = options.aggregate ?? 'mean';
  const result = aggregateClassification(calibrated, ranges, names, 'softmax', aggregate);
  const raw = aggregateClassification(prepared.scores, ranges, names, 'none', aggregate);
  return {
    ...result,
    method: 'zero-shot',
    template: prompt.template,
    rawScores: raw.logits,
    calibration: {
      applied: calibrate,
      input: CONTENT_FREE_TEXT,
      scores: cfScores,
      probabilities: aggregateClassification([cfScores], [{ start: 0, end: 0 }], names, 'softmax').probabilities,
    },
    globalTokens: prepared.spanTokens,
    warnings: prepared.warnings,
    ...runInfo(prepared.run),
  };
}

interface ScoredChunks {
  readonly inputs: readonly ChunkInput[];
  readonly scores: Float32Array[];
  readonly spanTokens: number;
  readonly warnings: readonly string[];
  /** Where and how the chunks ran (provider, precision, and their notes). */
  readonly run: RunInfo;
}

/** Every chunk of `text` read after the prompt; one score per label per chunk. */
async function scoreChunks(
  engine: Engine,
  tokenizer: RobertaTokenizer,
  text: string,
  prompt: ZeroShotPrompt,
  options: ZeroShotOptions,
): Promise<ScoredChunks> {
  const promptTokens = { ids: prompt.ids, starts: new Uint32Array(prompt.ids.length), ends: new Uint32Array(prompt.ids.length) };
  const maxLength = options.maxLength ?? maxInputLength(engine.config);
  if (prompt.ids.length + 4 >= maxLength) {
    throw new LensError(
      'INPUT_TOO_LONG',
      `the template takes ${prompt.ids.length} tokens, which leaves no room for the document in a ${maxLength}-token input.`,
      'Use a shorter template.',
    );
  }
  const prepared = prepareDocument(engine.config, tokenizer, text, options, promptTokens);
  // `<s>` is position 0 and the prompt follows it; only `<s>` and the mask are global among the prompt's tokens
  // (the pipeline makes a QA question global, which the prompt is not), the caller's spans stay as they are.
  const maskPosition = 1 + prompt.maskIndex;
  const inputs = prepared.inputs.map((input): ChunkInput => {
    const global = Uint8Array.from(input.global, (flag, p) => (input.question[p] === 1 ? 0 : flag));
    global[maskPosition] = 1;
    return { ...input, global };
  });
  // The logits at the mask only: (1, 1, vocab) instead of (1, seq, vocab), 200 KB instead of 820 MB per chunk at 4,096
  // tokens for the base model.
  const fetch = { logitPositions: [maskPosition] };
  const { results, ...run } = await runChunks(engine, inputs, ['logits'], { ...options, run: fetch }, (_input, result) =>
    labelScores(requireTensor(result, 'logits'), prompt.labels),
  );
  return { inputs, scores: results, spanTokens: prepared.spanTokens.length, warnings: prepared.warnings, run };
}
