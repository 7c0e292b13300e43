// The three things the extension asks a model to do, each with its own model setting, and which checkpoint heads
// fit each. Pure (no `vscode`).
import type { HeadKind } from '../core/checkpoint/config';

export type LensTask = 'classification' | 'question-answering' | 'attention';

export interface TaskInfo {
  /** For pickers and messages: "the classification model". */
  readonly label: string;
  /** The `longformerLens.*` setting that names the task's model (a folder or a hub id). */
  readonly setting: 'classificationModel' | 'questionAnsweringModel' | 'baseModel';
  /** Heads that can do the task; undefined: every head (attention maps come from the shared encoder). */
  readonly heads?: readonly HeadKind[];
  /** The registry task whose checkpoints fit (models/registry.json). */
  readonly registryTask: 'sequence-classification' | 'question-answering' | 'base';
}

export const TASKS: Readonly<Record<LensTask, TaskInfo>> = {
  // Any head: a checkpoint without a classification head classifies zero-shot or with a trained head.
  classification: { label: 'classification', setting: 'classificationModel', registryTask: 'sequence-classification' },
  'question-answering': {
    label: 'question answering',
    setting: 'questionAnsweringModel',
    heads: ['question-answering'],
    registryTask: 'question-answering',
  },
  attention: { label: 'attention and embeddings', setting: 'baseModel', registryTask: 'base' },
};

export const TASK_NAMES = Object.keys(TASKS) as LensTask[];

export function isLensTask(value: unknown): value is LensTask {
  return typeof value === 'string' && (TASK_NAMES as string[]).includes(value);
}

/**
 * Why a checkpoint cannot do the task, in one sentence; undefined when it can. A config.json without architectures
 * names no head: the task reads it with its own, as transformers' Auto class for the task would (the engine then
 * refuses weights that lack that head, naming the tensors).
 */
export function headProblem(
  task: LensTask,
  checkpoint: { readonly architecture: string; readonly head: HeadKind; readonly architectureNamed?: boolean },
): string | undefined {
  const heads = TASKS[task].heads;
  if (heads === undefined || heads.includes(checkpoint.head) || checkpoint.architectureNamed === false) return undefined;
  return `${checkpoint.architecture} has a ${checkpoint.head} head; ${TASKS[task].label} needs a ${heads.join(' or ')} head.`;
}

/** The model each task uses: its own setting, else the legacy `modelPath`; attention also falls back to the others. */
export function modelForTask(task: LensTask, settings: Readonly<Record<TaskInfo['setting'] | 'modelPath', string>>): string {
  const own = settings[TASKS[task].setting];
  if (own !== '') return own;
  if (task === 'attention') {
    return [settings.classificationModel, settings.questionAnsweringModel, settings.modelPath].find((model) => model !== '') ?? '';
  }
  return settings.modelPath;
}
