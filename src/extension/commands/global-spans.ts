// "Mark as Global Attention", "Unmark", "Clear": the spans every later task on this document sends to the model.
// Each says what it did: the status bar briefly, or a message when there was nothing to do.
import * as vscode from 'vscode';
import type { LensContext } from '../context';

function marksLeft(count: number): string {
  return count === 0 ? 'no marks left' : `${count} mark${count === 1 ? '' : 's'} left`;
}

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

/** A cursor unmarks the whole mark it is in; a selection unmarks the text it covers. Returns the marks left. */
export function unmarkGlobal(lens: LensContext): number {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) return 0;
  let removed = false;
  for (const selection of editor.selections) removed = lens.globalSpans.unmark(editor.document, selection) || removed;
  const left = lens.globalSpans.get(editor.document).length;
  if (removed) vscode.window.setStatusBarMessage(`Longformer Lens: unmarked; ${marksLeft(left)}`, 4000);
  else void vscode.window.showInformationMessage('Longformer Lens: the cursor is not in a global-attention mark.');
  return left;
}

/** The hover's Unmark link: the whole mark at `offset` of the document `uri`. */
export function unmarkAt(lens: LensContext, uri: unknown, offset: unknown): boolean {
  const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === uri);
  if (document === undefined || typeof offset !== 'number') return false;
  const position = document.positionAt(offset);
  const removed = lens.globalSpans.unmark(document, new vscode.Range(position, position));
  if (removed) vscode.window.setStatusBarMessage(`Longformer Lens: unmarked; ${marksLeft(lens.globalSpans.get(document).length)}`, 4000);
  return removed;
}

export function clearGlobal(lens: LensContext): number {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) return 0;
  const cleared = lens.globalSpans.clear(editor.document);
  if (cleared > 0)
    vscode.window.setStatusBarMessage(`Longformer Lens: cleared ${cleared} global-attention mark${cleared === 1 ? '' : 's'}`, 4000);
  else void vscode.window.showInformationMessage('Longformer Lens: this document has no global-attention marks.');
  return cleared;
}
