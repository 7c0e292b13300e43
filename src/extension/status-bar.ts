// The one permanent status bar item: while a task runs, a spinner with its progress ("Classifying: chunk 3 of 26");
// otherwise the active editor's last result with its model and provider (stale results say so), and nothing but the
// name when the document has none. The tooltip gives the model, the provider and the precision that ran, with the
// reason when either is not the one asked for (a CPU fallback, fp16 that ran fp32), and, for results made with
// extended positions, that they are an approximation;
// a click opens the menu (status-menu.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { configuredModel } from './config';
import { ranOnLabel, ranOnLines } from './engine-summary';
import { markedGlobalNote, staleReason, type ResultStore, type TaskRecord } from './result-store';
import { TASKS, type LensTask } from './tasks';

export interface Activity {
  readonly title: string;
  readonly uri: string;
  readonly controller: AbortController;
  message: string;
}

const TASK_ICONS: Readonly<Record<LensTask, string>> = {
  classification: '$(symbol-enum)',
  'question-answering': '$(question)',
  attention: '$(flame)',
};

export class LensStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('longformerLens.status', vscode.StatusBarAlignment.Right, 100);
  private readonly running = new Set<Activity>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly results: ResultStore,
    private readonly markCount: (document: vscode.TextDocument) => number,
  ) {
    this.item.name = 'Longformer Lens';
    this.item.command = 'longformerLens.statusMenu';
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === vscode.window.activeTextEditor?.document) this.render();
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('longformerLens')) this.render();
      }),
    ];
    this.render();
    this.item.show();
  }

  begin(title: string, document: vscode.TextDocument): Activity {
    const activity: Activity = { title, uri: document.uri.toString(), controller: new AbortController(), message: 'starting the engine' };
    this.running.add(activity);
    this.render();
    return activity;
  }

  progress(activity: Activity, message: string): void {
    activity.message = message;
    this.render();
  }

  end(activity: Activity): void {
    this.running.delete(activity);
    this.render();
  }

  get busy(): boolean {
    return this.running.size > 0;
  }

  /** Cancels every running task (the menu's Cancel). */
  cancelAll(): number {
    const count = this.running.size;
    for (const activity of this.running) activity.controller.abort();
    return count;
  }

  /** What the item shows now (for the menu and the end-to-end tests). */
  get shown(): { readonly text: string; readonly tooltip: string } {
    const tooltip = this.item.tooltip;
    return { text: this.item.text, tooltip: typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '') };
  }

  /** Redraws the item for the active editor. */
  render(): void {
    const document = vscode.window.activeTextEditor?.document;
    const uri = document?.uri.toString();
    const activity = [...this.running].find((candidate) => candidate.uri === uri) ?? [...this.running][0];
    const marks = document === undefined ? 0 : this.markCount(document);
    const markLine = marks > 0 ? [`${marks} global-attention mark${marks === 1 ? '' : 's'} in this document`] : [];
    if (activity !== undefined) {
      this.item.text = `$(loading~spin) ${activity.title}: ${activity.message}`;
      this.setTooltip([
        `Longformer Lens: ${activity.title.toLowerCase()} ${path.basename(vscode.Uri.parse(activity.uri).fsPath)}`,
        ...markLine,
        'Click to cancel or for more.',
      ]);
      return;
    }
    const record = uri === undefined ? undefined : this.results.latest(uri);
    if (document === undefined || record === undefined) {
      this.item.text = '$(telescope) Longformer Lens';
      this.setTooltip(['Longformer Lens: no result for this document yet.', ...markLine, 'Click for the menu.']);
      return;
    }
    const stale = staleReason(record, { modelDir: configuredModel(record.task), version: document.version });
    const marked = markedGlobalNote(record.result);
    // An approximate result (extended positions) says so on the item itself, not only in the tooltip.
    const approximate = record.approximation === undefined ? '' : ' · approximation';
    this.item.text = `${TASK_ICONS[record.task]} ${record.summary} · ${modelName(record)} · ${ranOnLabel(record)}${approximate}${stale === undefined ? '' : ' (stale)'}`;
    this.setTooltip([
      `Longformer Lens ${TASKS[record.task].label} of ${path.basename(document.fileName)}: ${record.summary}`,
      `Model: ${record.modelDir}`,
      ...ranOnLines(record),
      ...(marked === undefined ? [] : [`The run used ${marked}.`]),
      ...(record.approximation === undefined ? [] : [`Approximation: ${record.approximation}.`]),
      ...(stale === undefined ? [] : [`Stale: ${stale}.`]),
      ...markLine,
      'Click for the menu.',
    ]);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }

  private setTooltip(lines: readonly string[]): void {
    this.item.tooltip = lines.join('\n');
  }
}

function modelName(record: TaskRecord): string {
  // A hub snapshot folder ends in its commit hash; the repository's folder name says more.
  const match = /models--([^/\\]+)--([^/\\]+)[/\\]snapshots/.exec(record.modelDir);
  return match === null ? path.basename(record.modelDir) : match[2]!;
}
