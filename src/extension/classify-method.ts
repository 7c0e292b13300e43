// How Classify Document classifies with a model that has no classification head (the published Longformers are
// masked-LM and QA checkpoints): zero-shot labels, typed once and remembered per workspace, or a classifier trained
// with "Train Classifier from Folder…" (kept under the extension's global storage). The choice is remembered per
// workspace and model; the result notification offers to change it.
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { ClassificationMethod } from '../core/tasks/classify';
import { parseLabels } from '../core/tasks/zero-shot-prompt';
import type { ClassifyMethod } from '../worker/protocol';
import type { LensContext } from './context';
import { describeClassifier, listClassifiers as listClassifiersIn, type TrainedClassifier } from './trained-classifiers';

const METHODS_KEY = 'longformerLens.classifyMethods';
const LABELS_KEY = 'longformerLens.zeroShotLabels';
const TRAIN_COMMAND = 'longformerLens.trainClassifier';

/** Where trained classifiers live: <global storage>/classifiers/<name>/ (head.safetensors + head.json). */
export function classifiersDir(lens: LensContext): string {
  return join(lens.extension.globalStorageUri.fsPath, 'classifiers');
}

/** The trained classifiers saved under the extension's global storage, by name. */
export function listClassifiers(lens: LensContext): Promise<TrainedClassifier[]> {
  return listClassifiersIn(classifiersDir(lens));
}

export function rememberMethod(lens: LensContext, modelDir: string, method: ClassifyMethod): Thenable<void> {
  const methods = lens.extension.workspaceState.get<Record<string, ClassifyMethod>>(METHODS_KEY) ?? {};
  const updates: Thenable<void>[] = [lens.extension.workspaceState.update(METHODS_KEY, { ...methods, [modelDir]: method })];
  if (method.kind === 'zero-shot') updates.push(lens.extension.workspaceState.update(LABELS_KEY, method.labels));
  return Promise.all(updates).then(() => undefined);
}

export function rememberedMethod(lens: LensContext, modelDir: string): ClassifyMethod | undefined {
  return lens.extension.workspaceState.get<Record<string, ClassifyMethod>>(METHODS_KEY)?.[modelDir];
}

/** Asks how to classify with a model that has no classification head; undefined when the user backs out. */
export async function pickMethod(lens: LensContext, modelDir: string, architecture: string): Promise<ClassifyMethod | undefined> {
  type Item = vscode.QuickPickItem & { readonly pick: () => Promise<ClassifyMethod | undefined> };
  const lastLabels = lens.extension.workspaceState.get<string>(LABELS_KEY);
  const items: Item[] = [];
  if (lastLabels !== undefined) {
    items.push({
      label: `$(symbol-key) Zero-shot: ${lastLabels}`,
      description: 'the labels used last in this workspace',
      pick: () => Promise.resolve({ kind: 'zero-shot', labels: lastLabels }),
    });
  }
  items.push({
    label: '$(edit) Zero-shot labels…',
    description: 'type the labels; the model scores them at a <mask>',
    pick: () => askLabels(lastLabels),
  });
  for (const classifier of await listClassifiers(lens)) {
    items.push({
      label: `$(library) ${classifier.name}`,
      description: describeClassifier(classifier),
      detail: `trained classifier, on ${classifier.baseModel}`,
      pick: () => Promise.resolve({ kind: 'trained-head', headDir: classifier.dir }),
    });
  }
  items.push({
    label: '$(folder-opened) Train Classifier from Folder…',
    description: 'one subfolder of text files per label',
    pick: async () => {
      const trained = await vscode.commands.executeCommand<ClassifyMethod | undefined>(TRAIN_COMMAND);
      return trained;
    },
  });
  const chosen = await vscode.window.showQuickPick(items, {
    title: `Longformer Lens: ${architecture} has no classification head. How should it classify?`,
    placeHolder: 'Zero-shot labels or a trained classifier',
  });
  const method = await chosen?.pick();
  if (method !== undefined) await rememberMethod(lens, modelDir, method);
  return method;
}

async function askLabels(previous: string | undefined): Promise<ClassifyMethod | undefined> {
  const labels = await vscode.window.showInputBox({
    title: 'Longformer Lens: zero-shot labels',
    prompt: 'Two or more labels, comma-separated; synonyms as name=word|word',
    placeHolder: 'invoice, contract=contract|agreement, letter',
    ...(previous === undefined ? {} : { value: previous }),
    // The worker's own parser, so what is accepted here is what it accepts.
    validateInput: (value) => {
      try {
        parseLabels(value);
        return undefined;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    },
  });
  return labels === undefined ? undefined : { kind: 'zero-shot', labels };
}

/** How results name their method. */
export function describeMethod(method: ClassificationMethod, request: ClassifyMethod | undefined): string {
  if (method === 'zero-shot') return 'zero-shot';
  if (method === 'trained-head') return `trained classifier "${request?.kind === 'trained-head' ? basename(request.headDir) : '?'}"`;
  return 'fine-tuned head';
}
