// The results view (Explorer): the active document's last classification, a heading with the document's label and
// score and one row per chunk (results-tree.ts shapes them). It follows the active editor and the result store,
// says above the tree when the result is stale, and a click on a chunk shows its lines in the editor, highlighted
// until the cursor leaves them. With no result, the view's welcome text (package.json viewsWelcome) offers Classify.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Classification } from '../../core/tasks/classify';
import { configuredModel } from '../config';
import { staleReason, type ResultStore } from '../result-store';
import { resultsTree, type ChunkRow, type ResultsTree } from '../results-tree';

export const RESULTS_VIEW_ID = 'longformerLens.results';
export const REVEAL_CHUNK_COMMAND = 'longformerLens.revealChunk';

type ResultsNode = { readonly kind: 'heading' } | { readonly kind: 'chunk'; readonly index: number; readonly row: ChunkRow };

/** What the view shows now (for the end-to-end tests). */
export interface ResultsSnapshot {
  readonly uri: string;
  readonly tree: ResultsTree;
}

export class ResultsView implements vscode.TreeDataProvider<ResultsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<ResultsNode>;
  private readonly highlight = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    // Dark Modern's editor.rangeHighlightBackground is too faint to tell a chunk apart: a colour of our own.
    backgroundColor: new vscode.ThemeColor('longformerLens.revealedChunkBackground'),
  });
  private highlighted: { editor: vscode.TextEditor; range: vscode.Range } | undefined;
  private current: ResultsSnapshot | undefined;
  /** The document the view follows: the active editor's, kept while the focus is somewhere without a text editor. */
  private document: vscode.TextDocument | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly results: ResultStore) {
    this.view = vscode.window.createTreeView(RESULTS_VIEW_ID, { treeDataProvider: this });
    this.document = followable(vscode.window.activeTextEditor);
    this.subscriptions = [
      this.view,
      results.subscribe(() => this.refresh()),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        const document = followable(editor);
        if (document === undefined) return;
        this.document = document;
        this.refresh();
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === this.highlighted?.editor.document) this.clearHighlight();
        // Only the heading's stale mark and the message change; the first edit is the one that matters.
        if (event.document === this.document && this.current !== undefined && this.current.tree.message === undefined) this.refresh();
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('longformerLens')) this.refresh();
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document === this.document) this.document = undefined;
      }),
      vscode.window.onDidChangeTextEditorSelection(({ textEditor, selections }) => {
        const shown = this.highlighted;
        if (shown !== undefined && textEditor === shown.editor && !selections.every((s) => shown.range.contains(s))) this.clearHighlight();
      }),
    ];
    this.refresh();
  }

  get snapshot(): ResultsSnapshot | undefined {
    return this.current;
  }

  /** The tree items the view shows now, heading first (for the end-to-end tests: a click runs an item's command). */
  items(): vscode.TreeItem[] {
    const nodes = this.getChildren().flatMap((heading) => [heading, ...this.getChildren(heading)]);
    return nodes.map((node) => this.getTreeItem(node));
  }

  refresh(): void {
    const document = this.document;
    const record = document === undefined ? undefined : this.results.get(document.uri.toString(), 'classification');
    if (document === undefined || record === undefined) {
      this.current = undefined;
      // The API's optional strings take no undefined here; an empty one shows nothing.
      this.view.message = '';
      this.view.description = '';
    } else {
      const stale = staleReason(record, { modelDir: configuredModel('classification'), version: document.version });
      const tree = resultsTree({
        name: path.basename(document.fileName),
        result: record.result as Classification,
        lineOf: (offset) => document.positionAt(offset).line,
        ...(stale === undefined ? {} : { stale }),
      });
      this.current = { uri: document.uri.toString(), tree };
      this.view.message = tree.message ?? '';
      this.view.description = path.basename(document.fileName);
    }
    this.changed.fire();
  }

  getTreeItem(node: ResultsNode): vscode.TreeItem {
    const current = this.current;
    if (current === undefined) return new vscode.TreeItem('');
    if (node.kind === 'heading') {
      const { heading } = current.tree;
      const item = new vscode.TreeItem(heading.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `${current.uri}#document`;
      item.description = heading.description;
      item.tooltip = heading.tooltip;
      item.iconPath = new vscode.ThemeIcon(heading.icon);
      return item;
    }
    const { row, index } = node;
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = `${current.uri}#chunk-${index}`;
    item.description = row.description;
    item.tooltip = row.tooltip;
    // The icon's shape and the description's words mark a differing chunk; the colour only adds to them.
    item.iconPath = row.differs
      ? new vscode.ThemeIcon(row.icon, new vscode.ThemeColor('list.warningForeground'))
      : new vscode.ThemeIcon(row.icon);
    item.command = { command: REVEAL_CHUNK_COMMAND, title: 'Show the Chunk’s Lines', arguments: [current.uri, row.start, row.end] };
    return item;
  }

  getChildren(node?: ResultsNode): ResultsNode[] {
    const current = this.current;
    if (current === undefined) return [];
    if (node === undefined) return [{ kind: 'heading' }];
    if (node.kind === 'heading') return current.tree.chunks.map((row, index) => ({ kind: 'chunk', index, row }));
    return [];
  }

  getParent(node: ResultsNode): ResultsNode | undefined {
    return node.kind === 'chunk' ? { kind: 'heading' } : undefined;
  }

  /** Shows the chunk's lines at the top of its editor with the cursor at its start, highlighted until the cursor leaves. */
  async reveal(uri: string, start: number, end: number): Promise<vscode.TextEditor> {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
    const column = vscode.window.visibleTextEditors.find((editor) => editor.document === document)?.viewColumn;
    const editor = await vscode.window.showTextDocument(document, { viewColumn: column ?? vscode.ViewColumn.Active, preserveFocus: false });
    const from = document.positionAt(start);
    const to = document.positionAt(Math.max(start, end - 1));
    const range = new vscode.Range(from.line, 0, to.line, document.lineAt(to.line).text.length);
    this.clearHighlight();
    editor.selection = new vscode.Selection(from, from);
    editor.revealRange(range, vscode.TextEditorRevealType.AtTop);
    editor.setDecorations(this.highlight, [range]);
    this.highlighted = { editor, range };
    return editor;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.highlight.dispose();
    this.changed.dispose();
  }

  private clearHighlight(): void {
    this.highlighted?.editor.setDecorations(this.highlight, []);
    this.highlighted = undefined;
  }
}

/** The document of an editor the view follows: not the log or another output channel. */
function followable(editor: vscode.TextEditor | undefined): vscode.TextDocument | undefined {
  const document = editor?.document;
  return document === undefined || document.uri.scheme === 'output' ? undefined : document;
}
