// Owns what lives as long as the extension: the log channel, the engine worker and the status bar item.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { WorkerClient } from './worker-client';

export class LensContext implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly worker: WorkerClient;
  readonly status: vscode.StatusBarItem;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Longformer Lens', { log: true });
    this.worker = new WorkerClient({
      workerPath: path.join(extension.extensionPath, 'dist', 'worker.js'),
      log: (line) => this.log.info(line),
    });
    this.status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
    this.status.name = 'Longformer Lens';
  }

  dispose(): void {
    this.worker.dispose();
    this.status.dispose();
    this.log.dispose();
  }
}
