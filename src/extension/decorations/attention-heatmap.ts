// The attention heatmap in the editor: a few background levels of one colour, one decoration type per level.
import * as vscode from 'vscode';
import type { AttentionMap } from '../../core/tasks/attention';
import { HEATMAP_LEVELS, heatLevels } from '../heatmap-buckets';
import { rangeOf } from './range';

export class AttentionHeatmap implements vscode.Disposable {
  private readonly levels = Array.from({ length: HEATMAP_LEVELS }, (_, i) =>
    vscode.window.createTextEditorDecorationType({
      backgroundColor: `rgba(255, 120, 0, ${(0.1 + (0.6 * (i + 1)) / HEATMAP_LEVELS).toFixed(2)})`,
      // Only the hottest level marks the overview ruler, so the scroll bar points at the peaks.
      ...(i === HEATMAP_LEVELS - 1
        ? { overviewRulerColor: 'rgba(255, 120, 0, 0.9)', overviewRulerLane: vscode.OverviewRulerLane.Left }
        : {}),
    }),
  );

  show(editor: vscode.TextEditor, map: AttentionMap): number {
    const levels = heatLevels(map.scores);
    const ranges: vscode.DecorationOptions[][] = this.levels.map(() => []);
    const document = editor.document;
    levels.forEach((level, i) => {
      if (level === 0) return;
      const hover = `attention ${map.scores[i]!.toExponential(2)} (layer ${map.layer}, head ${map.head})`;
      ranges[level - 1]!.push({ range: rangeOf(document, map.starts[i]!, map.ends[i]!), hoverMessage: hover });
    });
    this.levels.forEach((decoration, i) => editor.setDecorations(decoration, ranges[i]!));
    return ranges.reduce((count, list) => count + list.length, 0);
  }

  clear(): void {
    for (const editor of vscode.window.visibleTextEditors) this.levels.forEach((decoration) => editor.setDecorations(decoration, []));
  }

  dispose(): void {
    this.levels.forEach((decoration) => decoration.dispose());
  }
}
