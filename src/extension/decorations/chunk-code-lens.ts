// Classification's per-chunk results as CodeLens at each chunk's first line; a click opens the results view, where
// each chunk's tooltip gives every probability. Only for the document version that was classified: after an edit the lines may have moved.
import * as vscode from 'vscode';
import type { Classification } from '../../core/tasks/classify';
import { chunkLenses } from '../chunk-lenses';
import type { ResultStore } from '../result-store';
import { RESULTS_VIEW_ID } from '../views/results-view';

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
      return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), { title: lens.title, command: `${RESULTS_VIEW_ID}.focus` });
    });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
