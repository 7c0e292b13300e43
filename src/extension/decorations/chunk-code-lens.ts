// Classification's per-chunk results as CodeLens at each chunk's first line; a click shows the log with every
// chunk's probabilities. Only for the document version that was classified: after an edit the lines may have moved.
import * as vscode from 'vscode';
import type { Classification } from '../../core/tasks/classify';
import { chunkLenses } from '../chunk-lenses';
import type { ResultStore } from '../result-store';

export class ChunkCodeLens implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly results: ResultStore) {}

  /** Call after a classification result is recorded. */
  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const record = this.results.get(document.uri.toString(), 'classification');
    if (record === undefined || record.version !== document.version) return [];
    return chunkLenses(record.result as Classification).map((lens) => {
      const line = document.positionAt(lens.start).line;
      return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), { title: lens.title, command: 'longformerLens.showOutput' });
    });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
