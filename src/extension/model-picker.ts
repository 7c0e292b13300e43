// The model picker behind "Choose Model" and a command's first use, for one task: a known checkpoint from the
// registry (downloaded into the huggingface_hub cache with byte progress, after asking when it is large), another hub
// repository, or a local folder; for classification also the classifiers trained with "Train Classifier from Folder…"
// (choosing one sets its base model and classifies with its head). The choice is checked in the engine (config.json,
// weights, tokenizer, and a head that fits the task) before it becomes the task's model setting.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatBytes } from '../core/hub/progress';
import { loadRegistry } from '../core/hub/registry';
import { parseRepoSpec } from '../core/hub/repo-spec';
import { listClassifiers, rememberedMethod, rememberMethod } from './classify-method';
import { configuredModel, storeModel } from './config';
import type { LensContext } from './context';
import { reportError, sentenceOf } from './errors';
import { HUB_TOKEN_SECRET } from './secrets';
import { headProblem, TASKS, type LensTask } from './tasks';
import { describeClassifier, readClassifier, type TrainedClassifier } from './trained-classifiers';
import type { ModelCheck } from '../worker/protocol';

/** Downloads larger than this are confirmed first, with their size. */
export const CONFIRM_DOWNLOAD_BYTES = 100_000_000;

type Choice =
  | { kind: 'hub'; repo: string; bytes: number }
  | { kind: 'folder' }
  | { kind: 'other-repo' }
  | { kind: 'classifier'; classifier: TrainedClassifier };

/** A model to check, and the trained classifier it was chosen through, if any. */
interface Candidate {
  readonly model: string;
  readonly classifier?: TrainedClassifier;
}

/** `classifier`: the head folder of the trained classifier chosen, which Classify Document now uses. */
export type PickOutcome = { readonly chosen: string; readonly classifier?: string } | { readonly refused: string } | undefined;

/**
 * Resolves to the model stored for the task, or why the chosen one was refused, or undefined when the user backed
 * out. `folder` skips the pickers (a checkpoint folder or hub id chosen elsewhere) and is checked the same way.
 */
export async function pickModel(lens: LensContext, task: LensTask, folder?: string): Promise<PickOutcome> {
  const picked = folder === undefined ? await pickCandidate(lens, task) : await asCandidate(folder);
  if (picked === undefined) return undefined;
  const candidate = picked.model;
  const refused =
    picked.classifier !== undefined && task !== 'classification'
      ? `${picked.classifier.dir} is a trained classifier; it serves classification, not ${TASKS[task].label}.`
      : await checkCandidate(lens, task, candidate);
  if (refused !== undefined) {
    lens.log.warn(`not using ${candidate} for ${TASKS[task].label}: ${refused}`);
    void vscode.window.showErrorMessage(`Longformer Lens: ${refused}`, 'Choose Another…').then((choice) => {
      if (choice === 'Choose Another…') void pickModel(lens, task);
    });
    return { refused };
  }
  await storeModel(task, candidate);
  const classifier = picked.classifier;
  if (classifier === undefined) {
    lens.log.info(`${TASKS[task].label} model: ${candidate}`);
    void vscode.window.showInformationMessage(`Longformer Lens: ${TASKS[task].label} now uses ${path.basename(candidate)}.`);
    return { chosen: candidate };
  }
  // The classifier is a head over its base model: the model setting names the base, the method the head.
  await rememberMethod(lens, candidate, { kind: 'trained-head', headDir: classifier.dir });
  lens.log.info(`${TASKS[task].label} model: ${candidate} with the trained classifier ${classifier.dir}`);
  void vscode.window.showInformationMessage(
    `Longformer Lens: classification now uses the classifier "${classifier.name}" (on ${path.basename(candidate)}).`,
  );
  return { chosen: candidate, classifier: classifier.dir };
}

/** A folder that holds a trained head (head.json) stands for that classifier on its base model; others for themselves. */
async function asCandidate(folder: string): Promise<Candidate> {
  const classifier = await readClassifier(folder, path.basename(folder));
  return classifier === undefined ? { model: folder } : { model: classifier.baseModel, classifier };
}

async function pickCandidate(lens: LensContext, task: LensTask): Promise<Candidate | undefined> {
  const current = configuredModel(task);
  const fits = TASKS[task].registryTask;
  // Checkpoints made for the task first; the others stay reachable (a base model can still show attention).
  const entries = [...loadRegistry()].sort((a, b) => Number(b.task === fits) - Number(a.task === fits));
  const isCurrent = (id: string): boolean => current === id || current.includes(`models--${id.replace('/', '--')}`);
  // Trained classifiers first: each was made for this one task (the registry has no classification checkpoint).
  const classifiers = task === 'classification' ? await listClassifiers(lens) : [];
  const remembered = current === '' ? undefined : rememberedMethod(lens, current);
  const isCurrentClassifier = (classifier: TrainedClassifier): boolean =>
    classifier.baseModel === current && remembered?.kind === 'trained-head' && remembered.headDir === classifier.dir;
  const items: Array<vscode.QuickPickItem & { choice: Choice }> = [
    ...classifiers.map((classifier) => ({
      label: `${isCurrentClassifier(classifier) ? '$(check) ' : ''}$(library) ${classifier.name}`,
      description: `${isCurrentClassifier(classifier) ? 'current · ' : ''}trained classifier · ${describeClassifier(classifier)}`,
      detail: `on ${classifier.baseModel}`,
      choice: { kind: 'classifier', classifier } as const,
    })),
    ...entries.map((entry) => ({
      label: `${isCurrent(entry.id) ? '$(check) ' : ''}${entry.id}`,
      description: `${isCurrent(entry.id) ? 'current · ' : ''}${entry.task} · ${formatBytes(entry.approxSizeBytes)} · ${entry.license}`,
      detail: entry.description,
      choice: { kind: 'hub', repo: entry.id, bytes: entry.approxSizeBytes } as const,
    })),
    {
      label: '$(folder-opened) Use a checkpoint folder…',
      description: current !== '' && !entries.some((entry) => isCurrent(entry.id)) ? `current: ${current}` : '',
      detail: 'config.json, the weights and the tokenizer files',
      choice: { kind: 'folder' },
    },
    { label: '$(cloud-download) Another hub repository…', detail: 'org/name[@revision]', choice: { kind: 'other-repo' } },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `Longformer Lens: the ${TASKS[task].label} model`,
    placeHolder: current === '' ? 'No model chosen yet' : `Now: ${current}`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (picked === undefined) return undefined;
  if (picked.choice.kind === 'classifier') return { model: picked.choice.classifier.baseModel, classifier: picked.choice.classifier };
  const folder = await folderFor(lens, picked.choice);
  return folder === undefined ? undefined : asCandidate(folder);
}

/** Why the folder or hub id cannot serve the task, or undefined when it can. */
async function checkCandidate(lens: LensContext, task: LensTask, candidate: string): Promise<string | undefined> {
  let check: ModelCheck;
  try {
    check = await lens.worker.request('inspectModel', { modelDir: candidate });
  } catch (error) {
    return sentenceOf(error);
  }
  const problem = headProblem(task, check);
  return problem === undefined ? undefined : `${problem} Choose a model made for ${TASKS[task].label}.`;
}

async function folderFor(lens: LensContext, choice: Exclude<Choice, { kind: 'classifier' }>): Promise<string | undefined> {
  switch (choice.kind) {
    case 'folder': {
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        openLabel: 'Use this checkpoint',
      });
      return picked?.[0]?.fsPath;
    }
    case 'other-repo': {
      const repo = await vscode.window.showInputBox({
        title: 'Longformer Lens: hub repository',
        placeHolder: 'allenai/longformer-base-4096',
        validateInput: (value) => {
          try {
            parseRepoSpec(value.trim());
            return undefined;
          } catch (error) {
            return error instanceof Error ? error.message : String(error);
          }
        },
      });
      return repo === undefined ? undefined : download(lens, repo.trim());
    }
    case 'hub': {
      if (choice.bytes > CONFIRM_DOWNLOAD_BYTES) {
        const answer = await vscode.window.showWarningMessage(
          `Download ${choice.repo}, about ${formatBytes(choice.bytes)}?`,
          { modal: true, detail: 'It goes into the huggingface_hub cache; nothing is fetched when it is already there.' },
          'Download',
        );
        if (answer !== 'Download') return undefined;
      }
      return download(lens, choice.repo);
    }
  }
}

/** Downloads (or finds in the cache) a hub repository in the worker and returns its snapshot folder. */
export async function download(lens: LensContext, repo: string): Promise<string | undefined> {
  const token = await lens.extension.secrets.get(HUB_TOKEN_SECRET);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Longformer Lens: downloading ${repo}`, cancellable: true },
      (progress, cancel) => {
        const controller = new AbortController();
        cancel.onCancellationRequested(() => controller.abort());
        // Messages only: the files come one after another, so a single fraction would run backwards.
        return lens.worker.request(
          'download',
          { repo, ...(token === undefined ? {} : { token }) },
          { signal: controller.signal, onProgress: ({ message }) => progress.report({ message }) },
        );
      },
    );
    lens.log.info(`${repo}: commit ${result.commit}${result.fromCache ? ' (already in the cache)' : ''} in ${result.snapshotDir}`);
    return result.snapshotDir;
  } catch (error) {
    reportError(lens, `Download ${repo}`, error);
    return undefined;
  }
}
