// What every document command starts from: the active editor, the task's model and the document's global spans.
import * as vscode from 'vscode';
import type { ProviderChoice } from '../core/runtime/provider-choice';
import { readSettings } from './config';
import type { LensContext } from './context';
import { modelFor } from './model-choice';
import type { LensTask } from './tasks';
import type { DocumentParams } from '../worker/protocol';

export interface DocumentRequest {
  readonly editor: vscode.TextEditor;
  readonly params: DocumentParams;
}

/** `provider` overrides the setting for this request (Retry on CPU). */
export async function documentRequest(lens: LensContext, task: LensTask, provider?: ProviderChoice): Promise<DocumentRequest | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showWarningMessage('Longformer Lens: open a document first.');
    return undefined;
  }
  const params = await documentParams(lens, editor.document, task, provider);
  return params === undefined ? undefined : { editor, params };
}

/** The request for one document (not necessarily the active one: the overlay panel has the focus when it asks). */
export async function documentParams(
  lens: LensContext,
  document: vscode.TextDocument,
  task: LensTask,
  provider?: ProviderChoice,
): Promise<DocumentParams | undefined> {
  const modelDir = await modelFor(lens, task);
  if (modelDir === undefined) return undefined;
  const settings = readSettings();
  return {
    modelDir,
    provider: provider ?? settings.provider,
    precision: settings.precision,
    ...(settings.threads === undefined ? {} : { threads: settings.threads }),
    ...(settings.extendPositions === undefined ? {} : { extendPositions: settings.extendPositions }),
    memoryBudgetBytes: settings.memoryBudgetBytes,
    text: document.getText(),
    spans: lens.globalSpans.get(document),
  };
}
