// A trained head on disk: HEAD/head.safetensors (weight (labels, features), bias (labels), float32) and
// HEAD/head.json (labels, the feature recipe, the base model it was trained on, the training summary). Nothing
// else goes into the folder, and loading checks that both files agree with each other.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LongformerConfig } from '../checkpoint/config';
import { readSafetensors } from '../checkpoint/safetensors';
import { writeSafetensors } from '../checkpoint/synthetic';
import { LensError } from '../errors';
import type { LinearHead } from './logistic-regression';

export const HEAD_FORMAT = 'longformer-lens-head';
export const HEAD_FORMAT_VERSION = 1;
export const HEAD_WEIGHTS_FILE = 'head.safetensors';
export const HEAD_JSON_FILE = 'head.json';
/** `<s>` vector (with `<s>` global) then the mean of the token vectors, over chunks for long files (tasks/embed.ts). */
export const FEATURE_RECIPE = 'cls+mean';

export interface BaseModel {
  /** As the user named it: a hub repository id or a folder. */
  readonly id: string;
  readonly architecture: string;
  /** SHA-256 of the parsed config (baseModelIdentity): equal configs, equal hash. */
  readonly configSha256: string;
}

export interface HeadJson {
  readonly format: typeof HEAD_FORMAT;
  readonly version: number;
  readonly labels: readonly string[];
  readonly features: { readonly recipe: string; readonly dims: number; readonly maxLength?: number };
  readonly baseModel: BaseModel;
  /** What train-head reported (files per label, skipped files, strength, cross-validation). */
  readonly training: unknown;
}

export interface TrainedHead {
  readonly info: HeadJson;
  readonly head: LinearHead;
}

export function configSha256(config: LongformerConfig): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex');
}

export function baseModelIdentity(id: string, config: LongformerConfig): BaseModel {
  return { id, architecture: config.architecture, configSha256: configSha256(config) };
}

/** Writes both files into `dir` (created; an existing head there is replaced), through a temporary folder. */
export async function saveHead(dir: string, trained: TrainedHead): Promise<void> {
  const { head, info } = trained;
  await mkdir(dir, { recursive: true });
  const foreign = (await readdir(dir)).filter(
    (name) => name !== HEAD_JSON_FILE && name !== HEAD_WEIGHTS_FILE && !name.startsWith('.head-'),
  );
  if (foreign.length > 0) {
    throw new LensError(
      'BAD_ARGUMENT',
      `${dir} holds other files (${foreign.slice(0, 3).join(', ')}); a head folder holds only ${HEAD_WEIGHTS_FILE} and ${HEAD_JSON_FILE}.`,
      'Choose a new or empty folder for --out.',
    );
  }
  const staging = join(dir, `.head-${process.pid}`);
  await mkdir(staging, { recursive: true });
  try {
    const tensors = new Map([
      ['weight', { dtype: 'float32' as const, shape: [head.classes, head.dims], data: Float32Array.from(head.weight) }],
      ['bias', { dtype: 'float32' as const, shape: [head.classes], data: Float32Array.from(head.bias) }],
    ]);
    await writeSafetensors(join(staging, HEAD_WEIGHTS_FILE), tensors);
    await writeFile(join(staging, HEAD_JSON_FILE), `${JSON.stringify(toJson(info), null, 2)}\n`);
    await rename(join(staging, HEAD_WEIGHTS_FILE), join(dir, HEAD_WEIGHTS_FILE));
    await rename(join(staging, HEAD_JSON_FILE), join(dir, HEAD_JSON_FILE));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function toJson(info: HeadJson): Record<string, unknown> {
  return {
    format: info.format,
    version: info.version,
    labels: info.labels,
    features: {
      recipe: info.features.recipe,
      dims: info.features.dims,
      ...(info.features.maxLength === undefined ? {} : { max_length: info.features.maxLength }),
    },
    base_model: { id: info.baseModel.id, architecture: info.baseModel.architecture, config_sha256: info.baseModel.configSha256 },
    training: info.training,
  };
}

export async function loadHead(dir: string): Promise<TrainedHead> {
  const bad = (what: string): LensError =>
    new LensError('BAD_ARGUMENT', `${dir} is not a usable trained head: ${what}.`, 'Train one with train-head --out.');
  let jsonText: string;
  let weightBytes: Buffer;
  try {
    jsonText = await readFile(join(dir, HEAD_JSON_FILE), 'utf8');
    weightBytes = await readFile(join(dir, HEAD_WEIGHTS_FILE));
  } catch (error) {
    throw new LensError(
      'NOT_FOUND',
      `${dir} has no ${HEAD_JSON_FILE} and ${HEAD_WEIGHTS_FILE}.`,
      'Give a folder written by train-head --out.',
      { cause: error },
    );
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(jsonText) as Record<string, unknown>;
  } catch {
    throw bad(`${HEAD_JSON_FILE} is not JSON`);
  }
  if (raw['format'] !== HEAD_FORMAT) throw bad(`${HEAD_JSON_FILE} has no "format": "${HEAD_FORMAT}"`);
  if (raw['version'] !== HEAD_FORMAT_VERSION) throw bad(`format version ${String(raw['version'])} is not ${HEAD_FORMAT_VERSION}`);
  const labels = raw['labels'];
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((label) => typeof label === 'string'))
    throw bad('"labels" must list two or more names');
  const features = raw['features'] as Record<string, unknown> | undefined;
  const base = raw['base_model'] as Record<string, unknown> | undefined;
  if (features?.['recipe'] !== FEATURE_RECIPE) throw bad(`feature recipe ${String(features?.['recipe'])} is not ${FEATURE_RECIPE}`);
  const dims = features['dims'];
  if (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1) throw bad('"features.dims" must be a positive integer');
  const maxLength = features['max_length'];
  if (maxLength !== undefined && (typeof maxLength !== 'number' || !Number.isInteger(maxLength)))
    throw bad('"features.max_length" must be an integer');
  if (typeof base?.['id'] !== 'string' || typeof base['architecture'] !== 'string' || typeof base['config_sha256'] !== 'string') {
    throw bad('"base_model" needs id, architecture and config_sha256');
  }
  const tensors = readSafetensors(weightBytes, join(dir, HEAD_WEIGHTS_FILE));
  const weight = tensors.get('weight')?.tensor;
  const bias = tensors.get('bias')?.tensor;
  const classes = labels.length;
  if (weight?.dtype !== 'float32' || weight.shape.join(',') !== `${classes},${dims}`)
    throw bad(`"weight" must be float32 [${classes}, ${dims}]`);
  if (bias?.dtype !== 'float32' || bias.shape.join(',') !== `${classes}`) throw bad(`"bias" must be float32 [${classes}]`);
  return {
    info: {
      format: HEAD_FORMAT,
      version: HEAD_FORMAT_VERSION,
      labels,
      features: { recipe: FEATURE_RECIPE, dims, ...(maxLength === undefined ? {} : { maxLength }) },
      baseModel: { id: base['id'], architecture: base['architecture'], configSha256: base['config_sha256'] },
      training: raw['training'],
    },
    head: { classes, dims, weight: Float64Array.from(weight.data), bias: Float64Array.from(bias.data) },
  };
}

/** The refusal when a head meets another base model than the one it was trained on; names both. */
export function checkBaseModel(trained: TrainedHead, headDir: string, model: BaseModel): void {
  const expected = trained.info.baseModel;
  if (expected.configSha256 === model.configSha256) return;
  throw new LensError(
    'WRONG_HEAD',
    `the head ${headDir} was trained on ${expected.id} (${expected.architecture}, config ${expected.configSha256.slice(0, 12)}), not on ${model.id} (${model.architecture}, config ${model.configSha256.slice(0, 12)}).`,
    `Use --model ${expected.id}, or train a head for this model with train-head.`,
  );
}
