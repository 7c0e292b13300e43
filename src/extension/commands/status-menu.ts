// The status bar item's menu: Choose Model, Model Info, Show Log, Cancel (while a task runs), and the marks of the
// active document (with Clear).
import * as vscode from 'vscode';
import type { LensContext } from '../context';

export async function showStatusMenu(lens: LensContext): Promise<void> {
  const document = vscode.window.activeTextEditor?.document;
  const marks = document === undefined ? 0 : lens.globalSpans.get(document).length;
  const items: Array<vscode.QuickPickItem & { command?: string }> = [
    ...(lens.statusBar.busy
      ? [{ label: '$(stop-circle) Cancel', description: 'stop the running task', command: 'longformerLens.cancel' }]
      : []),
    { label: '$(library) Choose Model…', description: 'for classification, questions or attention', command: 'longformerLens.chooseModel' },
    { label: '$(info) Model Info', command: 'longformerLens.showModelInfo' },
    { label: '$(output) Show Log', command: 'longformerLens.showOutput' },
    marks > 0
      ? { label: `$(clear-all) Clear ${marks} Global-Attention Mark${marks === 1 ? '' : 's'}`, command: 'longformerLens.clearGlobal' }
      : {
          label: '$(symbol-keyword) No global-attention marks in this document',
          description: 'select text, then Mark Selection as Global Attention',
        },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Longformer Lens' });
  if (picked?.command !== undefined) await vscode.commands.executeCommand(picked.command);
}

export function cancelTasks(lens: LensContext): number {
  const cancelled = lens.statusBar.cancelAll();
  if (cancelled === 0) void vscode.window.showInformationMessage('Longformer Lens: nothing is running.');
  return cancelled;
}
