// "Longformer Lens: Choose Model": for which task first (each shows its current model), then the model picker.
import * as vscode from 'vscode';
import { configuredModel } from '../config';
import type { LensContext } from '../context';
import { pickModel, type PickOutcome } from '../model-picker';
import { isLensTask, TASK_NAMES, TASKS, type LensTask } from '../tasks';

/** `task` and `folder` skip the pickers (menus, error buttons, tests); the folder is still checked. */
export async function chooseModel(lens: LensContext, task?: unknown, folder?: unknown): Promise<PickOutcome> {
  const chosenTask = isLensTask(task) ? task : await pickTask();
  if (chosenTask === undefined) return undefined;
  return pickModel(lens, chosenTask, typeof folder === 'string' ? folder : undefined);
}

async function pickTask(): Promise<LensTask | undefined> {
  const items = TASK_NAMES.map((task) => {
    const current = configuredModel(task);
    return {
      label: TASKS[task].label.replace(/^./, (first) => first.toUpperCase()),
      description: current === '' ? 'no model yet' : current,
      task,
    };
  });
  const picked = await vscode.window.showQuickPick(items, { title: 'Longformer Lens: choose the model for which task?' });
  return picked?.task;
}
