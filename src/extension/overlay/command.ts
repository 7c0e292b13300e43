// "Longformer Lens: Show Attention Overlay": opens the overlay beside the active editor's document.
import * as vscode from 'vscode';
import type { AttentionResult } from '../../worker/protocol';
import type { OverlaySelection } from './messages';
import type { AttentionOverlay } from './panel';

export async function showOverlay(overlay: AttentionOverlay, selection?: OverlaySelection): Promise<AttentionResult | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showWarningMessage('Longformer Lens: open a document first, then show its attention overlay.');
    return undefined;
  }
  return overlay.open(editor.document, selection);
}
