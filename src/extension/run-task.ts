// Runs one worker request behind a cancellable progress notification and reports a failure once.
import * as vscode from 'vscode';
import type { LensContext } from './context';
import { reportError } from './errors';
import type { Progress } from './worker-client';

export type Task<T> = (signal: AbortSignal, onProgress: (progress: Progress) => void) => Promise<T>;

/** Resolves to the task's result, or undefined when it failed (already reported) or was cancelled. */
export async function runTask<T>(lens: LensContext, title: string, task: Task<T>): Promise<T | undefined> {
  const started = Date.now();
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Longformer Lens: ${title}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        return task(controller.signal, ({ done, total, message }) => {
          // withProgress takes increments; turn the worker's absolute counts into them.
          const fraction = total > 0 ? (100 * done) / total : 0;
          progress.report({ message, increment: Math.max(0, fraction - reported) });
          reported = Math.max(reported, fraction);
        });
      },
    );
    lens.log.info(`${title}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  } catch (error) {
    reportError(lens.log, title, error);
    return undefined;
  }
}
