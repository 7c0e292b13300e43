// The classifiers "Train Classifier from Folder…" saved (one head folder each, head.json + head.safetensors), as the
// model picker and Classify Document offer them. Pure (node:fs, no `vscode`): reads head.json only, so listing stays
// cheap and the extension bundle does not carry the safetensors reader; the worker checks the weights when it uses one.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TrainedClassifier {
  /** The folder name, which the user gave when training. */
  readonly name: string;
  readonly dir: string;
  readonly labels: readonly string[];
  /** The model it was trained on, as the classification model setting names it (a folder or a hub id). */
  readonly baseModel: string;
  /** The cross-validated accuracy from training, when there were enough files for one. */
  readonly accuracy?: number;
}

/** The head in `dir`, or undefined when `dir` holds no readable head.json with labels and a base model. */
export async function readClassifier(dir: string, name: string): Promise<TrainedClassifier | undefined> {
  let json: { labels?: unknown; base_model?: { id?: unknown }; training?: { cross_validation?: { accuracy?: unknown } | null } };
  try {
    json = JSON.parse(await readFile(join(dir, 'head.json'), 'utf8')) as typeof json;
  } catch {
    return undefined;
  }
  if (!Array.isArray(json.labels) || typeof json.base_model?.id !== 'string') return undefined;
  const accuracy = json.training?.cross_validation?.accuracy;
  return {
    name,
    dir,
    labels: json.labels.map(String),
    baseModel: json.base_model.id,
    ...(typeof accuracy === 'number' ? { accuracy } : {}),
  };
}

/** Every classifier under `root` (one folder each), by name; folders without a usable head.json are left out. */
export async function listClassifiers(root: string): Promise<TrainedClassifier[]> {
  let names: string[];
  try {
    names = (await readdir(root, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
  const found = await Promise.all(names.sort().map((name) => readClassifier(join(root, name), name)));
  return found.filter((classifier): classifier is TrainedClassifier => classifier !== undefined);
}

/** One line for pickers: the labels, and the cross-validated accuracy when training measured one. */
export function describeClassifier(classifier: TrainedClassifier): string {
  const accuracy = classifier.accuracy === undefined ? '' : ` · ${(100 * classifier.accuracy).toFixed(1)}% cross-validated`;
  return `${classifier.labels.join(', ')}${accuracy}`;
}
