// The model picker behind "Choose Model" and a command's first use: a known checkpoint from the registry (downloaded into the huggingface_hub cache
// with byte progress), another hub repository, or a local folder. The choice becomes `longformerLens.modelPath`.
import * as vscode from 'vscode';
import { loadRegistry } from '../core/hub/registry';
import { parseRepoSpec } from '../core/hub/repo-spec';
import { formatBytes } from '../core/hub/progress';
import type { LensContext } from './context';
import { reportError } from './errors';
import { HUB_TOKEN_SECRET } from './secrets';

type Choice = { kind: 'hub'; repo: string } | { kind: 'folder' } | { kind: 'other-repo' };

/** Resolves to the chosen checkpoint folder, already stored in the settings; undefined when the user backed out. */
export async function chooseModelInteractively(lens: LensContext): Promise<string | undefined> {
  const items: Array<vscode.QuickPickItem & { choice: Choice }> = [
    ...loadRegistry().map((entry) => ({
      label: entry.id,
      description: `${entry.task} · ${formatBytes(entry.approxSizeBytes)} · ${entry.license}`,
      detail: entry.description,
      choice: { kind: 'hub', repo: entry.id } as const,
    })),
    {
      label: '$(folder-opened) Use a checkpoint folder…',
      detail: 'config.json, the weights and the tokenizer files',
      choice: { kind: 'folder' },
    },
    { label: '$(cloud-download) Another hub repository…', detail: 'org/name[@revision]', choice: { kind: 'other-repo' } },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Longformer Lens: choose a model', matchOnDetail: true });
  if (picked === undefined) return undefined;
  const folder = await folderFor(lens, picked.choice);
  if (folder === undefined) return undefined;
  await vscode.workspace.getConfiguration('longformerLens').update('modelPath', folder, vscode.ConfigurationTarget.Global);
  lens.log.info(`model: ${folder}`);
  return folder;
}

async function folderFor(lens: LensContext, choice: Choice): Promise<string | undefined> {
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
    case 'hub':
      return download(lens, choice.repo);
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
          {
            signal: controller.signal,
            onProgress: ({ message }) => progress.report({ message }),
          },
        );
      },
    );
    lens.log.info(`${repo}: commit ${result.commit}${result.fromCache ? ' (already in the cache)' : ''} in ${result.snapshotDir}`);
    return result.snapshotDir;
  } catch (error) {
    reportError(lens.log, `Download ${repo}`, error);
    return undefined;
  }
}
