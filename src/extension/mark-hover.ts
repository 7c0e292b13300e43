// The hover on a global-attention mark: how many tokens it makes global and in which chunks (computed in the engine
// with the tokenizer and chunking of the model the document's tasks use), and an Unmark link.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { configuredModel } from './config';
import type { GlobalSpanStore } from './global-spans';
import { sentenceOf } from './errors';
import type { WorkerClient } from './worker-client';
import type { MarkCoverage } from '../worker/protocol';

export class MarkHover implements vscode.HoverProvider {
  /** One answer per document version and mark: hovering again costs nothing. */
  private readonly cache = new Map<string, Promise<MarkCoverage>>();

  constructor(
    private readonly spans: GlobalSpanStore,
    private readonly worker: WorkerClient,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    const mark = this.spans.markAt(document, document.offsetAt(position));
    if (mark === undefined) return undefined;
    const range = new vscode.Range(document.positionAt(mark.start), document.positionAt(mark.end));
    const unmark = `command:longformerLens.unmarkAt?${encodeURIComponent(JSON.stringify([document.uri.toString(), mark.start]))}`;
    const text = new vscode.MarkdownString();
    text.isTrusted = { enabledCommands: ['longformerLens.unmarkAt'] };
    text.appendMarkdown(`**Global attention** (Longformer Lens): ${await this.describe(document, mark)}\n\n[Unmark](${unmark})`);
    return new vscode.Hover(text, range);
  }

  private async describe(document: vscode.TextDocument, mark: { start: number; end: number }): Promise<string> {
    const modelDir = configuredModel('attention');
    if (modelDir === '')
      return 'its tokens attend to, and are attended by, every token of each chunk that contains them. Choose a model to see how many.';
    const key = `${document.uri.toString()}@${document.version}:${mark.start}-${mark.end}:${modelDir}`;
    let pending = this.cache.get(key);
    if (pending === undefined) {
      pending = this.worker.request('markCoverage', { modelDir, text: document.getText(), span: mark });
      this.cache.set(key, pending);
    }
    try {
      const { tokens, chunks, chunkCount } = await pending;
      const where =
        chunkCount === 1
          ? 'every token of the document'
          : `every token of chunk${chunks.length === 1 ? '' : 's'} ${chunks.map((chunk) => chunk + 1).join(', ')} of ${chunkCount} (not the whole document: it is read in chunks)`;
      return `${tokens} token${tokens === 1 ? '' : 's'} here attend to, and are attended by, ${where}, with ${path.basename(modelDir)}'s tokenizer.`;
    } catch (error) {
      this.cache.delete(key);
      return `its tokens attend to, and are attended by, every token of each chunk that contains them (${sentenceOf(error)}).`;
    }
  }
}
