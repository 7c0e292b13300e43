// The text spans a user marked for global attention, per document: kept on their text through edits, saved in the
// workspace state so they survive a window reload (dropped, with a message, when their text changed meanwhile),
// shown as decorations, and sent with every task on that document. Context keys tell the menus whether the cursor
// is in a mark and whether the document has any.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CharSpan } from '../core/tasks/chunking';
import { readSavedMarks, restoreMarks, saveMarks, type SavedMark } from './mark-persistence';
import { addSpan, removeRange, shiftSpans, spanAt } from './span-shift';

const SAVED_MARKS_KEY = 'longformerLens.marks';

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
  /** Fires when a document's marks change (marked, unmarked, moved by an edit, restored). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly state: vscode.Memento) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => this.onEdit(event)),
      // Closing forgets the marks in memory only: the saved ones come back when the document opens again.
      vscode.workspace.onDidCloseTextDocument((document) => this.spans.delete(document.uri.toString())),
      vscode.workspace.onDidOpenTextDocument((document) => this.restore(document)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((editor) => this.render(editor))),
      vscode.window.onDidChangeTextEditorSelection(() => this.updateContext()),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateContext()),
    ];
    vscode.workspace.textDocuments.forEach((document) => this.restore(document));
    this.updateContext();
  }

  get(document: vscode.TextDocument): readonly CharSpan[] {
    return this.spans.get(document.uri.toString()) ?? [];
  }

  /** The marks saved for a document URI in the workspace state. */
  saved(uri: string): readonly SavedMark[] {
    return readSavedMarks(this.state.get(SAVED_MARKS_KEY))[uri] ?? [];
  }

  /** The mark that holds the offset (its ends included, so a cursor just after a mark is in it). */
  markAt(document: vscode.TextDocument, offset: number): CharSpan | undefined {
    return spanAt(this.get(document), offset);
  }

  mark(editor: vscode.TextEditor, selection: vscode.Selection): void {
    const span = { start: editor.document.offsetAt(selection.start), end: editor.document.offsetAt(selection.end) };
    if (span.end > span.start) this.set(editor.document, addSpan(this.get(editor.document), span));
  }

  /**
   * A cursor removes the whole mark it is in; a selection removes the marked text it covers. Returns whether
   * anything was unmarked.
   */
  unmark(document: vscode.TextDocument, selection: vscode.Selection | vscode.Range): boolean {
    const before = this.get(document);
    const removed = selection.isEmpty
      ? this.markAt(document, document.offsetAt(selection.start))
      : { start: document.offsetAt(selection.start), end: document.offsetAt(selection.end) };
    if (removed === undefined) return false;
    const after = removeRange(before, removed);
    if (sameSpans(before, after)) return false;
    this.set(document, after);
    return true;
  }

  /** Removes every mark of the document; returns how many there were. */
  clear(document: vscode.TextDocument): number {
    const count = this.get(document).length;
    this.set(document, []);
    return count;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.decoration.dispose();
    this.changed.dispose();
  }

  private set(document: vscode.TextDocument, spans: CharSpan[]): void {
    if (spans.length === 0) this.spans.delete(document.uri.toString());
    else this.spans.set(document.uri.toString(), spans);
    this.save(document, spans);
    for (const editor of vscode.window.visibleTextEditors) if (editor.document === document) this.render(editor);
    this.updateContext();
    this.changed.fire(document);
  }

  private save(document: vscode.TextDocument, spans: readonly CharSpan[]): void {
    // Untitled documents have no identity across a reload.
    if (document.isUntitled) return;
    const saved = readSavedMarks(this.state.get(SAVED_MARKS_KEY));
    const uri = document.uri.toString();
    if (spans.length === 0) delete saved[uri];
    else saved[uri] = saveMarks(document.getText(), spans);
    void this.state.update(SAVED_MARKS_KEY, saved);
  }

  private restore(document: vscode.TextDocument): void {
    const uri = document.uri.toString();
    if (this.spans.has(uri)) return;
    const saved: SavedMark[] | undefined = readSavedMarks(this.state.get(SAVED_MARKS_KEY))[uri];
    if (saved === undefined || saved.length === 0) return;
    const { kept, dropped } = restoreMarks(document.getText(), saved);
    this.set(document, kept);
    if (dropped > 0) {
      void vscode.window.showWarningMessage(
        `Longformer Lens: ${dropped} global-attention mark${dropped === 1 ? '' : 's'} in ${path.basename(document.fileName)} ` +
          `${dropped === 1 ? 'was' : 'were'} dropped: the marked text changed since ${dropped === 1 ? 'it was' : 'they were'} marked.`,
      );
    }
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

  private updateContext(): void {
    const editor = vscode.window.activeTextEditor;
    const inMark = editor !== undefined && this.markAt(editor.document, editor.document.offsetAt(editor.selection.active)) !== undefined;
    const hasMarks = editor !== undefined && this.get(editor.document).length > 0;
    void vscode.commands.executeCommand('setContext', 'longformerLens.cursorInMark', inMark);
    void vscode.commands.executeCommand('setContext', 'longformerLens.documentHasMarks', hasMarks);
  }

  private render(editor: vscode.TextEditor): void {
    const document = editor.document;
    // The hover (MarkHover) says what each mark amounts to; the decoration only draws it.
    const ranges = this.get(document).map((span) => new vscode.Range(document.positionAt(span.start), document.positionAt(span.end)));
    editor.setDecorations(this.decoration, ranges);
  }
}

function sameSpans(a: readonly CharSpan[], b: readonly CharSpan[]): boolean {
  return a.length === b.length && a.every((span, i) => span.start === b[i]!.start && span.end === b[i]!.end);
}
