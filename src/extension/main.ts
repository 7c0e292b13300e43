// Activation: builds the LensContext and registers the commands. Everything else lives in the files it names.
import * as vscode from 'vscode';
import { askQuestion } from './commands/ask';
import { showAttention } from './commands/attention';
import { classifyDocument } from './commands/classify';
import { trainClassifier } from './commands/train-classifier';
import { clearGlobal, markGlobal, unmarkGlobal } from './commands/global-spans';
import { setHubToken } from './commands/hub-token';
import { showModelInfo } from './commands/model-info';
import { LensContext } from './context';
import { chooseModelInteractively } from './model-picker';

export function activate(extension: vscode.ExtensionContext): void {
  const lens = new LensContext(extension);
  const commands: ReadonlyArray<[string, (...args: never[]) => unknown]> = [
    ['longformerLens.showModelInfo', () => showModelInfo(lens)],
    ['longformerLens.chooseModel', () => chooseModelInteractively(lens)],
    ['longformerLens.setHubToken', () => setHubToken(lens)],
    ['longformerLens.classifyDocument', (method?: Parameters<typeof classifyDocument>[1]) => classifyDocument(lens, method)],
    ['longformerLens.trainClassifier', (folder?: string, name?: string) => trainClassifier(lens, folder, name)],
    ['longformerLens.askQuestion', (question?: string) => askQuestion(lens, question)],
    ['longformerLens.markGlobal', () => markGlobal(lens)],
    ['longformerLens.unmarkGlobal', () => unmarkGlobal(lens)],
    ['longformerLens.clearGlobal', () => clearGlobal(lens)],
    ['longformerLens.showAttention', (mode?: Parameters<typeof showAttention>[1]) => showAttention(lens, mode)],
    ['longformerLens.clearAttention', () => lens.heatmap.clear()],
    ['longformerLens.showOutput', () => lens.log.show(true)],
  ];
  extension.subscriptions.push(lens, ...commands.map(([id, run]) => vscode.commands.registerCommand(id, run)));
}

export function deactivate(): void {
  // The LensContext is disposed through extension.subscriptions.
}
