// Activation: builds the LensContext and registers the commands. Everything else lives in the files it names.
import * as vscode from 'vscode';
import { showModelInfo } from './commands/model-info';
import { LensContext } from './context';

export function activate(extension: vscode.ExtensionContext): void {
  const lens = new LensContext(extension);
  extension.subscriptions.push(lens, vscode.commands.registerCommand('longformerLens.showModelInfo', () => showModelInfo(lens)));
}

export function deactivate(): void {
  // The LensContext is disposed through extension.subscriptions.
}
