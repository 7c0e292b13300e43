// Shows a failure once, in words the user can act on; the details go to the log with an "Open Output" button.
import * as vscode from 'vscode';
import { WorkerError } from './worker-client';

export function reportError(log: vscode.LogOutputChannel, what: string, error: unknown): void {
  if (error instanceof WorkerError && error.code === 'CANCELLED') return;
  const sentence =
    error instanceof WorkerError
      ? [error.serialized.message, error.serialized.hint].filter((part) => part !== undefined).join(' ')
      : error instanceof Error
        ? error.message
        : String(error);
  log.error(`${what}: ${sentence}`);
  if (error instanceof WorkerError && error.serialized.detail !== undefined) log.error(error.serialized.detail);
  // Not awaited: the command finishes now; the notification stays until the user dismisses it.
  void vscode.window.showErrorMessage(`Longformer Lens: ${sentence}`, 'Open Output').then((choice) => {
    if (choice === 'Open Output') log.show(true);
  });
}
