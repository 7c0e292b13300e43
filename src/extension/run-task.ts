// Runs one document task in the engine: a cancellable progress notification, the status bar's spinner ("chunk 3 of
// 26"), the result recorded for its document (or the old one cleared when the run fails), and a failure reported once.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunInfo } from '../core/runtime/engine';
import type { LensContext } from './context';
import { reportError } from './errors';
import type { LensTask } from './tasks';
import type { EngineInfo, ModelChoice } from '../worker/protocol';
import { WorkerError, type Progress } from './worker-client';

export interface TaskRun {
  readonly task: LensTask;
  /** "Classifying": the notification's and the status bar's title. */
  readonly title: string;
  readonly document: vscode.TextDocument;
  readonly model: ModelChoice;
  /** Runs the command again, on the CPU when `onCpu` (Retry / Retry on CPU after a crash). */
  readonly retry?: (onCpu: boolean) => void;
}

export interface TaskCallbacks {
  readonly signal: AbortSignal;
  readonly onProgress: (progress: Progress) => void;
  readonly onEngine: (engine: EngineInfo) => void;
}

/** " An approximation: …" for a result made with extended positions (longformerLens.extendPositions), else "". */
export function approximationNote(result: RunInfo): string {
  return result.approximation === undefined ? '' : ` An approximation: ${result.approximation}.`;
}

/** Resolves to the task's result, or undefined when it failed (already reported) or was cancelled. */
export async function runTask<T>(
  lens: LensContext,
  run: TaskRun,
  work: (callbacks: TaskCallbacks) => Promise<T>,
  summarize: (result: T) => string,
): Promise<T | undefined> {
  const started = Date.now();
  const uri = run.document.uri.toString();
  const version = run.document.version;
  const activity = lens.statusBar.begin(run.title, run.document);
  let engine: EngineInfo | undefined;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Longformer Lens: ${run.title}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => activity.controller.abort());
        let reported = 0;
        return work({
          signal: activity.controller.signal,
          onProgress: ({ done, total, message }) => {
            // withProgress takes increments; turn the worker's absolute counts into them.
            const fraction = total > 0 ? (100 * done) / total : 0;
            progress.report({ message, increment: Math.max(0, fraction - reported) });
            reported = Math.max(reported, fraction);
            lens.statusBar.progress(activity, message);
          },
          onEngine: (info) => {
            engine = info;
            if (info.providerNote !== undefined) lens.log.info(`${path.basename(info.modelDir)}: ${info.providerNote}`);
            if (info.precisionNote !== undefined) lens.log.info(`${path.basename(info.modelDir)}: ${info.precisionNote}`);
            if (info.approximation !== undefined) lens.log.warn(`${path.basename(info.modelDir)}: ${info.approximation}`);
          },
        });
      },
    );
    lens.log.info(
      `${run.title}: done in ${((Date.now() - started) / 1000).toFixed(1)} s on ${engine === undefined ? 'an unknown provider' : `${engine.provider} in ${engine.precision}`}`,
    );
    lens.results.record(uri, {
      task: run.task,
      modelDir: run.model.modelDir,
      version,
      provider: engine?.provider ?? 'unknown',
      ...(engine?.providerNote === undefined ? {} : { providerNote: engine.providerNote }),
      precision: engine?.precision ?? run.model.precision ?? 'fp32',
      ...(engine?.precisionNote === undefined ? {} : { precisionNote: engine.precisionNote }),
      ...(engine?.approximation === undefined ? {} : { approximation: engine.approximation }),
      summary: summarize(result),
      result,
    });
    return result;
  } catch (error) {
    // A cancelled run leaves the last result as it was; a failed one clears it.
    if (!(error instanceof WorkerError && error.code === 'CANCELLED')) lens.results.fail(uri, run.task);
    reportError(lens, run.title, error, {
      task: run.task,
      ...(run.retry === undefined ? {} : { retry: run.retry }),
      ranOnCpu: ['cpu', 'wasm'].includes(engine?.provider ?? run.model.provider),
    });
    return undefined;
  } finally {
    lens.statusBar.end(activity);
  }
}

/**
 * Runs engine work that belongs to no document (reading a model, training a classifier) behind a cancellable
 * progress notification; resolves to undefined when it failed (already reported) or was cancelled.
 */
export async function runJob<T>(
  lens: LensContext,
  title: string,
  job: (signal: AbortSignal, onProgress: (progress: Progress) => void) => Promise<T>,
): Promise<T | undefined> {
  const started = Date.now();
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Longformer Lens: ${title}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        return job(controller.signal, ({ done, total, message }) => {
          const fraction = total > 0 ? (100 * done) / total : 0;
          progress.report({ message, increment: Math.max(0, fraction - reported) });
          reported = Math.max(reported, fraction);
        });
      },
    );
    lens.log.info(`${title}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  } catch (error) {
    reportError(lens, title, error);
    return undefined;
  }
}
