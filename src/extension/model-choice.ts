// Which checkpoint the commands use: the `longformerLens.modelPath` setting, or a folder the user picks once.
import * as vscode from 'vscode';
import { readSettings } from './config';

export async function chooseModel(): Promise<string | undefined> {
  const configured = readSettings().modelPath;
  if (configured !== '') return configured;
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Use this checkpoint',
    title: 'Longformer Lens: choose a checkpoint folder (config.json + weights)',
  });
  const folder = picked?.[0]?.fsPath;
  if (folder === undefined) return undefined;
  await vscode.workspace.getConfiguration('longformerLens').update('modelPath', folder, vscode.ConfigurationTarget.Global);
  return folder;
}
