// What every document command starts from: the active editor, the chosen model and the document's global spans.
import * as vscode from 'vscode';
import { readSettings } from './config';
import type { LensContext } from './context';
import { chooseModel } from './model-choice';
import type { DocumentParams } from '../worker/protocol';

export interface DocumentRequest {
  readonly editor: vscode.TextEditor;
  readonly params: DocumentParams;
}

export async function documentRequest(lens: LensContext): Promise<DocumentRequest | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showWarningMessage('Longformer Lens: open a document first.');
    return undefined;
  }
  const modelDir = await chooseModel(lens);
  if (modelDir === undefined) return undefined;
  const settings = readSettings();
  return {
    editor,
    params: {
      modelDir,
      provider: settings.provider,
      ...(settings.threads === undefined ? {} : { threads: settings.threads }),
      ...(settings.extendPositions === undefined ? {} : { extendPositions: settings.extendPositions }),
      text: editor.document.getText(),
      spans: lens.globalSpans.get(editor.document),
    },
  };
}
