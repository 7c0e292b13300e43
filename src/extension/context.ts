// Owns what lives as long as the extension: the log channel, the engine worker, the results per document, the status
// bar item, the results view, and the editor decorations (global spans, answer highlight, attention heat) with the attention maps they show.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AnswerHighlight } from './decorations/answer-highlight';
import { ChunkCodeLens } from './decorations/chunk-code-lens';
import { GlobalSpanStore } from './global-spans';
import { MarkHover } from './mark-hover';
import { ResultStore } from './result-store';
import { LensStatusBar } from './status-bar';
import { AttentionStore } from './overlay/attention-store';
import { EditorHeat } from './decorations/attention-heat';
import { ResultsView } from './views/results-view';
import { WorkerClient } from './worker-client';
import { workerLogLines } from './worker-log';

export class LensContext implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly worker: WorkerClient;
  readonly results = new ResultStore();
  readonly globalSpans: GlobalSpanStore;
  readonly statusBar: LensStatusBar;
  readonly answerHighlight = new AnswerHighlight();
  /** Attention maps per document, shared by the overlay panel and the editor heatmap. */
  readonly attention = new AttentionStore();
  readonly heat = new EditorHeat(this.attention);
  readonly chunkLenses: ChunkCodeLens;
  /** The Explorer's results view: the active document's classification, chunk by chunk. */
  readonly resultsView: ResultsView;
  /** Offered again the next time the user asks. */
  lastQuestion = '';
  /** The first classification result of a session gets a notification; later ones only the status bar. */
  classifiedOnce = false;
  private readonly subscriptions: vscode.Disposable[];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Longformer Lens', { log: true });
    this.worker = new WorkerClient({
      workerPath: path.join(extension.extensionPath, 'dist', 'worker.js'),
      log: (chunk) => {
        for (const { level, text } of workerLogLines(chunk)) this.log[level](text);
      },
    });
    this.globalSpans = new GlobalSpanStore(extension.workspaceState);
    this.chunkLenses = new ChunkCodeLens(this.results);
    this.resultsView = new ResultsView(this.results);
    this.statusBar = new LensStatusBar(this.results, (document) => this.globalSpans.get(document).length);
    this.subscriptions = [
      vscode.workspace.onDidCloseTextDocument((document) => this.results.forget(document.uri.toString())),
      this.globalSpans.onDidChange(() => this.statusBar.render()),
      vscode.languages.registerCodeLensProvider({ pattern: '**' }, this.chunkLenses),
      this.chunkLenses,
      this.resultsView,
      vscode.languages.registerHoverProvider({ pattern: '**' }, new MarkHover(this.globalSpans, this.worker)),
    ];
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.worker.dispose();
    this.globalSpans.dispose();
    this.answerHighlight.dispose();
    this.heat.dispose();
    this.statusBar.dispose();
    this.log.dispose();
  }
}
