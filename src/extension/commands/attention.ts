// "Longformer Lens: Show Attention Heatmap": colours each token by the attention it gets, as the user chooses it.
import * as vscode from 'vscode';
import type { AttentionMap, AttentionMode } from '../../core/tasks/attention';
import type { LensContext } from '../context';
import { HEATMAP_LEVELS, heatLevels } from '../heatmap-buckets';
import { runTask } from '../run-task';
import { documentRequest, rangeOf } from './document-request';

const MODES: ReadonlyArray<{ label: string; detail: string; mode: AttentionMode }> = [
  { label: 'From the global tokens', detail: 'How much the global tokens (<s>, marked spans) attend to each token.', mode: 'global' },
  { label: 'Received by each token', detail: 'The total attention each token receives from its window and the globals.', mode: 'received' },
  { label: 'From the token at the cursor', detail: 'Where the token under the cursor looks: its window and the globals.', mode: 'token' },
];

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

export async function showAttention(lens: LensContext, preset?: AttentionMode): Promise<AttentionMap | undefined> {
  const mode = preset ?? (await vscode.window.showQuickPick(MODES, { title: 'Longformer Lens: which attention?' }))?.mode;
  if (mode === undefined) return undefined;
  const request = await documentRequest(lens);
  if (request === undefined) return undefined;
  const { editor, params } = request;
  const at = mode === 'token' ? editor.document.offsetAt(editor.selection.active) : undefined;
  const map = await runTask(lens, 'Computing attention', (signal, onProgress) =>
    lens.worker.request('attention', { ...params, mode, ...(at === undefined ? {} : { at }) }, { signal, onProgress }),
  );
  if (map === undefined) return undefined;
  map.warnings.forEach((warning) => lens.log.warn(warning));
  const shown = lens.heatmap.show(editor, map);
  lens.log.info(
    `attention (${mode}, layer ${map.layer}, head ${map.head}) over ${map.scores.length} tokens on ${map.provider}; ${shown} highlighted`,
  );
  return map;
}
