// Typed access to the extension's settings (package.json `contributes.configuration`).
import * as vscode from 'vscode';

export interface LensSettings {
  /** Folder of a HuggingFace Longformer checkpoint; empty when none is chosen yet. */
  readonly modelPath: string;
}

export function readSettings(): LensSettings {
  const section = vscode.workspace.getConfiguration('longformerLens');
  return { modelPath: section.get<string>('modelPath', '').trim() };
}
