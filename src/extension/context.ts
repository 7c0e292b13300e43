// Owns what lives as long as the extension: the log channel, the engine worker, the status bar item, and the
// editor decorations (global spans, answer highlight, attention heatmap).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AnswerHighlight } from './decorations/answer-highlight';
import { AttentionHeatmap } from './decorations/attention-heatmap';
import { GlobalSpanStore } from './global-spans';
import { WorkerClient } from './worker-client';

export class LensContext implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly worker: WorkerClient;
  readonly status: vscode.StatusBarItem;
  readonly globalSpans = new GlobalSpanStore();
  readonly answerHighlight = new AnswerHighlight();
  readonly heatmap = new AttentionHeatmap();
  /** Offered again the next time the user asks. */
  lastQuestion = '';

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Longformer Lens', { log: true });
    this.worker = new WorkerClient({
      workerPath: path.join(extension.extensionPath, 'dist', 'worker.js'),
      log: (line) => this.log.info(line),
    });
    this.status = vscode.window.createStatusBarItem('longformerLens.result', vscode.StatusBarAlignment.Right, 100);
    this.status.name = 'Longformer Lens';
    this.status.command = 'longformerLens.showOutput';
  }

  dispose(): void {
    this.worker.dispose();
    this.globalSpans.dispose();
    this.answerHighlight.dispose();
    this.heatmap.dispose();
    this.status.dispose();
    this.log.dispose();
  }
}
