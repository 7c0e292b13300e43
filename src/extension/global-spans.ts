// The text spans a user marked for global attention, per document: kept on their text through edits, shown as
// decorations, and sent with every task on that document.
import * as vscode from 'vscode';
import type { CharSpan } from '../core/tasks/chunking';
import { addSpan, removeRange, shiftSpans } from './span-shift';

export class GlobalSpanStore implements vscode.Disposable {
  private readonly spans = new Map<string, CharSpan[]>();
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    borderWidth: '0 0 2px 0',
    borderStyle: 'solid',
    borderColor: new vscode.ThemeColor('editorInfo.foreground'),
    overviewRulerColor: new vscode.ThemeColor('editorInfo.foreground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
  });
  private readonly subscriptions: vscode.Disposable[];
  private readonly changed = new vscode.EventEmitter<vscode.TextDocument>();
  /** Fires when a document's marks change (marked, unmarked, moved by an edit). */
  readonly onDidChange = this.changed.event;

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => this.onEdit(event)),
      vscode.workspace.onDidCloseTextDocument((document) => this.spans.delete(document.uri.toString())),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((editor) => this.render(editor))),
    ];
  }

  get(document: vscode.TextDocument): readonly CharSpan[] {
    return this.spans.get(document.uri.toString()) ?? [];
  }

  mark(editor: vscode.TextEditor, selection: vscode.Selection): void {
    const span = { start: editor.document.offsetAt(selection.start), end: editor.document.offsetAt(selection.end) };
    if (span.end > span.start) this.set(editor.document, addSpan(this.get(editor.document), span));
  }

  unmark(editor: vscode.TextEditor, selection: vscode.Selection): void {
    const document = editor.document;
    const range = selection.isEmpty ? (document.getWordRangeAtPosition(selection.active) ?? selection) : selection;
    this.set(document, removeRange(this.get(document), { start: document.offsetAt(range.start), end: document.offsetAt(range.end) }));
  }

  clear(document: vscode.TextDocument): void {
    this.set(document, []);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.decoration.dispose();
    this.changed.dispose();
  }

  private set(document: vscode.TextDocument, spans: CharSpan[]): void {
    if (spans.length === 0) this.spans.delete(document.uri.toString());
    else this.spans.set(document.uri.toString(), spans);
    for (const editor of vscode.window.visibleTextEditors) if (editor.document === document) this.render(editor);
    this.changed.fire(document);
  }

  private onEdit(event: vscode.TextDocumentChangeEvent): void {
    const current = this.spans.get(event.document.uri.toString());
    if (current === undefined || event.contentChanges.length === 0) return;
    // Changes of one event are relative to the document before the event; applying them last-first keeps that true.
    const changes = [...event.contentChanges].sort((a, b) => b.rangeOffset - a.rangeOffset);
    let spans = current;
    for (const change of changes)
      spans = shiftSpans(spans, { offset: change.rangeOffset, removed: change.rangeLength, inserted: change.text.length });
    this.set(event.document, spans);
  }

  private render(editor: vscode.TextEditor): void {
    const document = editor.document;
    const ranges = this.get(document).map((span) => ({
      range: new vscode.Range(document.positionAt(span.start), document.positionAt(span.end)),
      hoverMessage: 'Global attention: every token here attends to, and is attended by, the whole document.',
    }));
    editor.setDecorations(this.decoration, ranges);
  }
}
