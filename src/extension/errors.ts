// Shows a failure once, in words the user can act on, with the buttons that fix it: Choose Model… for a model whose
// head does not fit, Retry and Retry on CPU for a crashed engine, Show Log for the details.
import * as vscode from 'vscode';
import type { LensContext } from './context';
import type { LensTask } from './tasks';
import { WorkerError } from './worker-client';

export interface ErrorActions {
  /** The task whose model failed: a wrong head offers to choose another model for it. */
  readonly task?: LensTask;
  /** Runs the failed command again; `onCpu` forces the CPU provider for that one run. */
  readonly retry?: (onCpu: boolean) => void;
  /** Whether the failed run was already on the CPU (no Retry on CPU then). */
  readonly ranOnCpu?: boolean;
}

export function sentenceOf(error: unknown): string {
  if (error instanceof WorkerError) return [error.serialized.message, error.serialized.hint].filter((part) => part !== undefined).join(' ');
  return error instanceof Error ? error.message : String(error);
}

export function reportError(lens: LensContext, what: string, error: unknown, actions: ErrorActions = {}): void {
  if (error instanceof WorkerError && error.code === 'CANCELLED') {
    lens.log.info(`${what}: cancelled`);
    return;
  }
  const sentence = sentenceOf(error);
  lens.log.error(`${what}: ${sentence}`);
  if (error instanceof WorkerError && error.serialized.detail !== undefined) lens.log.error(error.serialized.detail);
  const code = error instanceof WorkerError ? error.code : undefined;
  const buttons: string[] = [];
  if (code === 'WRONG_HEAD' && actions.task !== undefined) buttons.push('Choose Model…');
  if (code === 'WORKER_DIED' && actions.retry !== undefined) buttons.push('Retry', ...(actions.ranOnCpu === true ? [] : ['Retry on CPU']));
  buttons.push('Show Log');
  // Not awaited: the command finishes now; the notification stays until the user dismisses it.
  void vscode.window.showErrorMessage(`Longformer Lens: ${sentence}`, ...buttons).then((choice) => {
    if (choice === 'Show Log') lens.log.show(true);
    else if (choice === 'Choose Model…') void vscode.commands.executeCommand('longformerLens.chooseModel', actions.task);
    else if (choice === 'Retry') actions.retry?.(false);
    else if (choice === 'Retry on CPU') actions.retry?.(true);
  });
}
