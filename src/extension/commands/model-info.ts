// "Longformer Lens: Show Model Info": summarises the chosen checkpoint.
import * as vscode from 'vscode';
import type { LensContext } from '../context';
import { reportError } from '../errors';
import { modelFor } from '../model-choice';
import { isLensTask, type LensTask } from '../tasks';

/** Summarises the task's model: the given task, else the active document's last one, else classification's. */
export async function showModelInfo(lens: LensContext, task?: LensTask): Promise<string | undefined> {
  const uri = vscode.window.activeTextEditor?.document.uri.toString();
  const chosenTask = task ?? (uri === undefined ? undefined : lens.results.latest(uri)?.task) ?? 'classification';
  const modelDir = await modelFor(lens, isLensTask(chosenTask) ? chosenTask : 'classification');
  if (modelDir === undefined) return undefined;
  try {
    const summary = await lens.worker.request('modelSummary', { modelDir });
    const labels = summary.labels.length > 0 ? `, labels: ${summary.labels.join(', ')}` : '';
    const text =
      `${summary.architecture} (${summary.head}): ${summary.layers} layers, ` +
      `${(summary.parameterCount / 1e6).toFixed(1)}M parameters, up to ${summary.maxInputLength} tokens per chunk${labels}.`;
    lens.log.info(`model ${modelDir}: ${JSON.stringify(summary)}`);
    void vscode.window.showInformationMessage(`Longformer Lens: ${text}`);
    return text;
  } catch (error) {
    reportError(lens, 'Show Model Info', error);
    return undefined;
  }
}
