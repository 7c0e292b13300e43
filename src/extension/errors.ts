// Shows a failure once, in words the user can act on; the details go to the log with an "Open Output" button.
import * as vscode from 'vscode';
import { WorkerError } from './worker-client';

export async function reportError(log: vscode.LogOutputChannel, what: string, error: unknown): Promise<void> {
  if (error instanceof WorkerError && error.code === 'CANCELLED') return;
  const sentence = error instanceof WorkerError
    ? [error.serialized.message, error.serialized.hint].filter((part) => part !== undefined).join(' ')
    : error instanceof Error ? error.message : String(error);
  log.error(`${what}: ${sentence}`);
  if (error instanceof WorkerError && error.serialized.detail !== undefined) log.error(error.serialized.detail);
  const choice = await vscode.window.showErrorMessage(`Longformer Lens: ${sentence}`, 'Open Output');
  if (choice === 'Open Output') log.show(true);
}
