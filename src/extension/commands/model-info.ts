// "Longformer Lens: Show Model Info": summarises the chosen checkpoint.
import * as vscode from 'vscode';
import type { LensContext } from '../context';
import { reportError } from '../errors';
import { chooseModel } from '../model-choice';

export async function showModelInfo(lens: LensContext): Promise<string | undefined> {
  const modelDir = await chooseModel(lens);
  if (modelDir === undefined) return undefined;
  try {
    const summary = await lens.worker.request('modelSummary', { modelDir });
    const labels = summary.labels.length > 0 ? `, labels: ${summary.labels.join(', ')}` : '';
    const text =
      `${summary.architecture} (${summary.head}): ${summary.layers} layers, ` +
      `${(summary.parameterCount / 1e6).toFixed(1)}M parameters, up to ${summary.maxPositionEmbeddings - 2} tokens per chunk${labels}.`;
    lens.log.info(`model ${modelDir}: ${JSON.stringify(summary)}`);
    void vscode.window.showInformationMessage(`Longformer Lens: ${text}`);
    return text;
  } catch (error) {
    reportError(lens.log, 'Show Model Info', error);
    return undefined;
  }
}
