// The answer highlight: the chosen answer span of "Ask a Question", selected and revealed in its editor.
import * as vscode from 'vscode';
import type { Answer } from '../../core/tasks/answer';
import { rangeOf } from './range';

/** Two significant digits: an unsure model's scores are small, and "0.0%" for all of them would hide the order. */
export function scorePercent(score: number): string {
  return `${(100 * score).toPrecision(2)}%`;
}

export class AnswerHighlight implements vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
    borderColor: new vscode.ThemeColor('editor.findMatchBorder'),
    borderWidth: '1px',
    borderStyle: 'solid',
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.findMatchForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Center,
  });

  show(editor: vscode.TextEditor, answer: Answer): void {
    const range = rangeOf(editor.document, answer.start, answer.end);
    editor.setDecorations(this.decoration, [{ range, hoverMessage: `Answer, score ${scorePercent(answer.score)}` }]);
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** Removes the highlight from every editor (Clear Answer Highlight, or a question without an answer). */
  clear(): void {
    for (const editor of vscode.window.visibleTextEditors) editor.setDecorations(this.decoration, []);
  }

  dispose(): void {
    this.decoration.dispose();
  }
}
