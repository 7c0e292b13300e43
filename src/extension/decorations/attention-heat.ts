// "Toggle Attention Heat in Editor": the overlay's current map as editor decorations, one per shading level, in the
// theme's heat colours (contributes.colors longformerLens.heat1..8). It shares the AttentionStore with the overlay:
// a layer, head, scale or cut-off chosen there shows here too, and the other way round (the status bar item's picker,
// commands/attention.ts). A status bar item is its legend. An edit or a change on disk clears it (the offsets would
// point at the wrong text) and the item says so, until the map is computed again.
import * as vscode from 'vscode';
import type { AttentionStore } from '../overlay/attention-store';
import {
  DEFAULT_TOP_FRACTION,
  HEAT_LEVELS,
  type HeatOptions,
  computeHeat,
  describeScore,
  describeSelection,
  describeTop,
  formatScore,
  heatLegendLines,
} from '../overlay/heat-scale';

/** What the editor heat shows for a document (the legend item and the e2e suite read it). */
export interface HeatReport {
  readonly shown: boolean;
  /** Tokens shaded in the document's editors; 0 while cleared. */
  readonly shaded: number;
  /** The source token's UTF-16 range (mode 'token'). */
  readonly source: { readonly start: number; readonly end: number } | undefined;
  /** Why the heat was cleared (an edit, a change on disk), when it was. */
  readonly stale: string | undefined;
  readonly options: HeatOptions;
  /** The legend item's text and tooltip. */
  readonly legend: { readonly text: string; readonly tooltip: string } | undefined;
}

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
  /** What render() drew per document: the legend item and report() read it. */
  private readonly drawn = new Map<string, { shaded: number; source: HeatReport['source']; legend: string[]; title: string }>();
  private options: HeatOptions = { scale: 'linear', top: DEFAULT_TOP_FRACTION };
  /** The legend: shown while the active editor's document has its heat on; a click opens the picker. */
  private readonly legendItem = vscode.window.createStatusBarItem('longformerLens.heatLegend', vscode.StatusBarAlignment.Right, 99);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly store: AttentionStore) {
    this.legendItem.name = 'Longformer Lens attention heat';
    this.legendItem.command = 'longformerLens.chooseHeat';
    this.subscriptions = [
      store.onDidChange((uri) => this.renderUri(uri)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((editor) => this.render(editor))),
      vscode.window.onDidChangeActiveTextEditor(() => this.renderLegend()),
    ];
  }

  get heatOptions(): HeatOptions {
    return this.options;
  }

  /** What the heat shows for a document, as the legend item says it. */
  report(document: vscode.TextDocument): HeatReport {
    const key = document.uri.toString();
    const drawn = this.drawn.get(key);
    const legend = this.legendFor(document);
    return {
      shown: this.shown.has(key),
      shaded: drawn?.shaded ?? 0,
      source: drawn?.source,
      stale: this.staleReason(document),
      options: this.options,
      legend: legend === undefined ? undefined : { text: legend.text, tooltip: legend.tooltip },
    };
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
    this.drawn.delete(document.uri.toString());
    for (const editor of this.editorsOf(document.uri.toString())) this.clearEditor(editor);
    this.renderLegend();
  }

  clear(): void {
    this.shown.clear();
    this.drawn.clear();
    for (const editor of vscode.window.visibleTextEditors) this.clearEditor(editor);
    this.renderLegend();
  }

  setOptions(options: HeatOptions): void {
    this.options = options;
    for (const uri of this.shown) this.renderUri(uri);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.levels.forEach((decoration) => decoration.dispose());
    this.source.dispose();
    this.legendItem.dispose();
  }

  private editorsOf(uri: string): vscode.TextEditor[] {
    return vscode.window.visibleTextEditors.filter((editor) => editor.document.uri.toString() === uri);
  }

  private renderUri(uri: string): void {
    for (const editor of this.editorsOf(uri)) this.render(editor);
    this.renderLegend();
  }

  /** Why the document's map no longer fits its text; undefined while it fits (or there is none). */
  private staleReason(document: vscode.TextDocument): string | undefined {
    const current = this.store.current(document.uri.toString());
    if (current === undefined) return undefined;
    if (current.stale !== undefined) return current.stale;
    return current.version === document.version ? undefined : 'The document changed since this map was computed.';
  }

  private legendFor(document: vscode.TextDocument): { text: string; tooltip: string } | undefined {
    const key = document.uri.toString();
    if (!this.shown.has(key)) return undefined;
    const stale = this.staleReason(document);
    if (stale !== undefined || this.store.current(key) === undefined) {
      return {
        text: '$(flame) Heat cleared',
        tooltip: `Attention heat: cleared. ${stale ?? 'No map yet.'}\nClick to compute it again, or to choose the layer, head and cut-off.`,
      };
    }
    const drawn = this.drawn.get(key);
    if (drawn === undefined) return undefined;
    return {
      text: `$(flame) ${drawn.title}`,
      tooltip: [...drawn.legend, 'Click to choose the layer, head, cut-off and scale.'].join('\n'),
    };
  }

  private renderLegend(): void {
    const document = vscode.window.activeTextEditor?.document;
    const legend = document === undefined ? undefined : this.legendFor(document);
    if (legend === undefined) {
      this.legendItem.hide();
      return;
    }
    this.legendItem.text = legend.text;
    this.legendItem.tooltip = legend.tooltip;
    this.legendItem.show();
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
      this.drawn.delete(document.uri.toString());
      return 0;
    }
    const { map, selection } = current;
    const heat = computeHeat(map.scores, this.options);
    const short = `${selection.mode === 'global' ? 'global' : selection.mode === 'received' ? 'received' : 'token'} · L ${String(selection.layer)} · H ${String(selection.head)} · ${describeTop(this.options.top)}`;
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
    const source = token === undefined ? undefined : { start: map.starts[token]!, end: map.ends[token]! };
    this.drawn.set(document.uri.toString(), {
      shaded: heat.shaded,
      source,
      title: short,
      legend: [
        `Attention heat: ${describeSelection(selection)}`,
        ...heatLegendLines(heat, this.options, map.scores.length),
        ...(source === undefined
          ? []
          : [
              `Source token (outlined): ${JSON.stringify(document.getText(new vscode.Range(document.positionAt(source.start), document.positionAt(source.end))))}`,
            ]),
      ],
    });
    editor.setDecorations(
      this.source,
      source === undefined
        ? []
        : [{ range: new vscode.Range(document.positionAt(source.start), document.positionAt(source.end)), hoverMessage: 'Source token' }],
    );
    this.renderLegend();
    return heat.shaded;
  }
}
