// "Toggle Attention Heat in Editor": the overlay's current map as editor decorations, one per shading level, in the
// theme's heat colours (contributes.colors longformerLens.heat1..8). It shares the AttentionStore with the overlay:
// a layer, head, scale or cut-off chosen there shows here too. An edit or a change on disk clears it (the offsets
// would point at the wrong text) until the map is refreshed.
import * as vscode from 'vscode';
import type { AttentionStore } from '../overlay/attention-store';
import { DEFAULT_TOP_FRACTION, HEAT_LEVELS, type HeatOptions, computeHeat, describeScore, formatScore } from '../overlay/heat-scale';

export class EditorHeat implements vscode.Disposable {
  private readonly levels = Array.from({ length: HEAT_LEVELS }, (_, i) =>
    vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor(`longformerLens.heat${i + 1}`),
      // Only the hottest level marks the overview ruler, so the scroll bar points at the peaks.
      ...(i === HEAT_LEVELS - 1
        ? { overviewRulerColor: new vscode.ThemeColor('longformerLens.heat8'), overviewRulerLane: vscode.OverviewRulerLane.Left }
        : {}),
    }),
  );
  /** The source token of a 'token' map. */
  private readonly source = vscode.window.createTextEditorDecorationType({
    borderWidth: '2px',
    borderStyle: 'solid',
    borderColor: new vscode.ThemeColor('focusBorder'),
  });
  private readonly shown = new Set<string>();
  private options: HeatOptions = { scale: 'linear', top: DEFAULT_TOP_FRACTION };
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly store: AttentionStore) {
    this.subscriptions = [
      store.onDidChange((uri) => this.renderUri(uri)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((editor) => this.render(editor))),
    ];
  }

  isShown(document: vscode.TextDocument): boolean {
    return this.shown.has(document.uri.toString());
  }

  /** Shows the document's current map in its editors; returns how many tokens are shaded. */
  show(document: vscode.TextDocument): number {
    this.shown.add(document.uri.toString());
    let shaded = 0;
    for (const editor of this.editorsOf(document.uri.toString())) shaded = this.render(editor);
    return shaded;
  }

  hide(document: vscode.TextDocument): void {
    this.shown.delete(document.uri.toString());
    for (const editor of this.editorsOf(document.uri.toString())) this.clearEditor(editor);
  }

  clear(): void {
    this.shown.clear();
    for (const editor of vscode.window.visibleTextEditors) this.clearEditor(editor);
  }

  setOptions(options: HeatOptions): void {
    this.options = options;
    for (const uri of this.shown) this.renderUri(uri);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.levels.forEach((decoration) => decoration.dispose());
    this.source.dispose();
  }

  private editorsOf(uri: string): vscode.TextEditor[] {
    return vscode.window.visibleTextEditors.filter((editor) => editor.document.uri.toString() === uri);
  }

  private renderUri(uri: string): void {
    for (const editor of this.editorsOf(uri)) this.render(editor);
  }

  private clearEditor(editor: vscode.TextEditor): void {
    this.levels.forEach((decoration) => editor.setDecorations(decoration, []));
    editor.setDecorations(this.source, []);
  }

  private render(editor: vscode.TextEditor): number {
    const document = editor.document;
    const current = this.store.current(document.uri.toString());
    if (
      !this.shown.has(document.uri.toString()) ||
      current === undefined ||
      current.stale !== undefined ||
      current.version !== document.version
    ) {
      this.clearEditor(editor);
      return 0;
    }
    const { map, selection } = current;
    const heat = computeHeat(map.scores, this.options);
    const what = `${selection.mode === 'global' ? 'from the global tokens' : selection.mode === 'received' ? 'received' : 'from the source token'}`;
    const where = `layer ${String(map.layer)}, head ${String(map.head)}`;
    const legend =
      `${this.options.scale} scale, top ${Math.round(this.options.top * 100)} % of tokens shaded ` +
      `(${formatScore(heat.threshold)} to ${formatScore(heat.max)})`;
    const ranges: vscode.DecorationOptions[][] = this.levels.map(() => []);
    heat.levels.forEach((level, i) => {
      if (level === 0) return;
      const range = new vscode.Range(document.positionAt(map.starts[i]!), document.positionAt(map.ends[i]!));
      const hover = new vscode.MarkdownString(
        `**Attention ${what}**: ${describeScore(heat, map.scores, i)}  \nlevel ${level} of ${HEAT_LEVELS}; ${where}; ${legend}  \n` +
          '[Open the attention overlay](command:longformerLens.showOverlay) for the legend, layers and heads.',
      );
      hover.isTrusted = { enabledCommands: ['longformerLens.showOverlay'] };
      ranges[level - 1]!.push({ range, hoverMessage: hover });
    });
    this.levels.forEach((decoration, i) => editor.setDecorations(decoration, ranges[i]!));
    const token = map.token;
    editor.setDecorations(
      this.source,
      token === undefined
        ? []
        : [
            {
              range: new vscode.Range(document.positionAt(map.starts[token]!), document.positionAt(map.ends[token]!)),
              hoverMessage: 'Source token',
            },
          ],
    );
    return heat.shaded;
  }
}
