// "Longformer Lens: Classify Document": the label with its probability in a notification and the status bar; the
// per-chunk probabilities go to the log, with the lines each chunk covers.
import * as vscode from 'vscode';
import type { Classification } from '../../core/tasks/classify';
import type { LensContext } from '../context';
import { runTask } from '../run-task';
import { documentRequest } from '../document-request';

export async function classifyDocument(lens: LensContext): Promise<Classification | undefined> {
  const request = await documentRequest(lens);
  if (request === undefined) return undefined;
  const { editor, params } = request;
  const result = await runTask(lens, 'Classifying', (signal, onProgress) =>
    lens.worker.request('classify', params, { signal, onProgress }),
  );
  if (result === undefined) return undefined;
  const percent = (p: number): string => `${(100 * p).toFixed(1)}%`;
  const best = result.labels.indexOf(result.label);
  const others = result.labels.map((label, i) => `${label} ${percent(result.probabilities[i] ?? 0)}`).filter((_, i) => i !== best);
  const headline = `${result.label} (${percent(result.probabilities[best] ?? 0)})`;
  lens.status.text = `$(symbol-enum) ${headline}`;
  lens.status.tooltip = `Longformer Lens: ${editor.document.fileName}\n${others.join(', ')}`;
  lens.status.show();
  const document = editor.document;
  lens.log.info(`classified ${document.fileName} on ${result.provider}: ${headline}; ${others.join(', ')}`);
  result.chunks.forEach((chunk, i) => {
    const first = document.positionAt(chunk.start).line + 1;
    const last = document.positionAt(chunk.end).line + 1;
    const probabilities = result.labels.map((label, k) => `${label} ${percent(chunk.probabilities[k] ?? 0)}`).join(', ');
    lens.log.info(`  chunk ${i + 1} (lines ${first}-${last}): ${probabilities}`);
  });
  result.warnings.forEach((warning) => lens.log.warn(warning));
  const chunkNote = result.chunks.length > 1 ? ` over ${result.chunks.length} chunks` : '';
  void vscode.window
    .showInformationMessage(`Longformer Lens: ${headline}${chunkNote}. ${others.join(', ')}`, 'Show Chunks')
    .then((choice) => {
      if (choice === 'Show Chunks') lens.log.show(true);
    });
  return result;
}
