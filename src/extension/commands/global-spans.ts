// "Mark as Global Attention", "Unmark", "Clear": the spans every later task on this document sends to the model.
import * as vscode from 'vscode';
import type { LensContext } from '../context';

export function markGlobal(lens: LensContext): number {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) return 0;
  const nonEmpty = editor.selections.filter((selection) => !selection.isEmpty);
  if (nonEmpty.length === 0) {
    void vscode.window.showInformationMessage('Longformer Lens: select the text that should get global attention first.');
    return 0;
  }
  nonEmpty.forEach((selection) => lens.globalSpans.mark(editor, selection));
  return lens.globalSpans.get(editor.document).length;
}

export function unmarkGlobal(lens: LensContext): number {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) return 0;
  editor.selections.forEach((selection) => lens.globalSpans.unmark(editor, selection));
  return lens.globalSpans.get(editor.document).length;
}

export function clearGlobal(lens: LensContext): void {
  const editor = vscode.window.activeTextEditor;
  if (editor !== undefined) lens.globalSpans.clear(editor.document);
}
