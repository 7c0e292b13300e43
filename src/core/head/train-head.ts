// train-head: labelled files in, a linear head over the engine's document embeddings out, with an honest report.
// Features are tasks/embed.ts's `<s>` and mean vectors side by side; the L2 strength is chosen by cross-validation
// when every label has enough files, and the final head is fitted on all of them.
import { throwIfCancelled } from '../errors';
import type { Engine } from '../runtime/engine';
import { embed, type Embedding } from '../tasks/embed';
import type { DocumentTaskOptions } from '../tasks/pipeline';
import type { RobertaTokenizer } from '../tokenizer/tokenizer';
import { type CrossValidation, crossValidate, DEFAULT_L2, MIN_EXAMPLES_PER_LABEL } from './cross-validation';
import type { EmbeddingCache } from './embedding-cache';
import type { Examples, SkippedFile } from './examples';
import { type BaseModel, FEATURE_RECIPE, HEAD_FORMAT, HEAD_FORMAT_VERSION, type TrainedHead } from './head-file';
import { fitLogisticRegression, predictClass } from './logistic-regression';

export interface FileProgress {
  readonly done: number;
  readonly total: number;
  readonly path: string;
  readonly cached: boolean;
}

export interface TrainHeadOptions {
  readonly baseModel: BaseModel;
  readonly cache?: EmbeddingCache;
  readonly maxLength?: number;
  readonly signal?: AbortSignal;
  /** After each file is embedded (or found in the cache). */
  readonly onFile?: (progress: FileProgress) => void;
}

export interface TrainingReport {
  readonly labels: readonly string[];
  /** Usable files per label. */
  readonly files: readonly number[];
  readonly skipped: readonly SkippedFile[];
  readonly embedded: number;
  readonly fromCache: number;
  /** The strength of the saved head. */
  readonly l2: number;
  /** Null when some label has fewer than MIN_EXAMPLES_PER_LABEL files; `moreNeeded` says how many. */
  readonly crossValidation: CrossValidation | null;
  /** Per label, the files to add before cross-validation can run (0 where there are enough). */
  readonly moreNeeded: readonly number[];
  /** Accuracy of the saved head on its own training files (optimistic; the cross-validated figure is the one to trust). */
  readonly trainingAccuracy: number;
  readonly provider: string;
}

/** The features of one document: `<s>` vector then mean vector. */
export function documentFeatures(embedding: Pick<Embedding, 'cls' | 'mean'>): Float32Array {
  const features = new Float32Array(embedding.cls.length + embedding.mean.length);
  features.set(embedding.cls, 0);
  features.set(embedding.mean, embedding.cls.length);
  return features;
}

export async function trainHead(
  engine: Engine,
  tokenizer: RobertaTokenizer,
  examples: Examples,
  options: TrainHeadOptions,
): Promise<{ trained: TrainedHead; report: TrainingReport }> {
  const embedOptions: DocumentTaskOptions = {
    ...(options.maxLength === undefined ? {} : { maxLength: options.maxLength }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const features: Float32Array[] = [];
  let embedded = 0;
  let fromCache = 0;
  let provider = '';
  for (const [index, example] of examples.examples.entries()) {
    throwIfCancelled(options.signal);
    let vector = await options.cache?.get(example.sha256);
    const cached = vector !== undefined;
    if (vector === undefined) {
      const embedding = await embed(engine, tokenizer, example.text, embedOptions);
      provider = embedding.provider;
      vector = documentFeatures(embedding);
      await options.cache?.put(example.sha256, vector);
      embedded += 1;
    } else {
      fromCache += 1;
    }
    features.push(vector);
    options.onFile?.({ done: index + 1, total: examples.examples.length, path: example.path, cached });
  }
  const classes = examples.labels.length;
  const targets = examples.examples.map((example) => example.label);
  const files = examples.labels.map((_, label) => targets.filter((target) => target === label).length);
  const crossValidation = crossValidate(features, targets, classes);
  const l2 = crossValidation?.l2 ?? DEFAULT_L2;
  const head = fitLogisticRegression(features, targets, classes, { l2 });
  const trainingAccuracy = targets.filter((target, i) => predictClass(head, features[i]!) === target).length / targets.length;
  const report: TrainingReport = {
    labels: examples.labels,
    files,
    skipped: examples.skipped,
    embedded,
    fromCache,
    l2,
    crossValidation,
    moreNeeded: files.map((count) => Math.max(0, MIN_EXAMPLES_PER_LABEL - count)),
    trainingAccuracy,
    provider,
  };
  const trained: TrainedHead = {
    info: {
      format: HEAD_FORMAT,
      version: HEAD_FORMAT_VERSION,
      labels: examples.labels,
      features: {
        recipe: FEATURE_RECIPE,
        dims: features[0]!.length,
        ...(options.maxLength === undefined ? {} : { maxLength: options.maxLength }),
      },
      baseModel: options.baseModel,
      training: trainingSummary(report),
    },
    head,
  };
  return { trained, report };
}

/** The report as head.json keeps it (and train-head --json prints it). */
export function trainingSummary(report: TrainingReport): Record<string, unknown> {
  const cv = report.crossValidation;
  return {
    files: Object.fromEntries(report.labels.map((label, i) => [label, report.files[i]])),
    skipped: report.skipped.map((file) => ({ path: file.path, reason: file.reason })),
    l2: report.l2,
    training_accuracy: round(report.trainingAccuracy),
    cross_validation:
      cv === null
        ? null
        : {
            folds: cv.folds,
            accuracy: round(cv.accuracy),
            confusion: cv.confusion,
            strengths: cv.strengths.map((s) => ({ l2: s.l2, accuracy: round(s.accuracy) })),
          },
    more_files_needed: Object.fromEntries(report.labels.map((label, i) => [label, report.moreNeeded[i]]).filter(([, more]) => more !== 0)),
  };
}

function round(value: number): number {
  return Number(value.toFixed(4));
}
