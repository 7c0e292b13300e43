// "Show Attention Heatmap" (computes a map and shades the editor with it) and "Toggle Attention Heat in Editor"
// (shows or hides the document's current map: the overlay's selection, or the default one computed on demand).
import * as vscode from 'vscode';
import type { ProviderChoice } from '../../core/runtime/provider-choice';
import type { AttentionMode } from '../../core/tasks/attention';
import type { AttentionResult } from '../../worker/protocol';
import type { LensContext } from '../context';
import type { OverlaySelection } from '../overlay/messages';
import { documentRequest } from '../document-request';
import { runTask } from '../run-task';

const MODES: ReadonlyArray<{ label: string; detail: string; mode: AttentionMode }> = [
  { label: 'From the global tokens', detail: 'How much the global tokens (<s>, marked spans) attend to each token.', mode: 'global' },
  { label: 'Received by each token', detail: 'The total attention each token receives from its window and the globals.', mode: 'received' },
  { label: 'From the token at the cursor', detail: 'Where the token under the cursor looks: its window and the globals.', mode: 'token' },
];

export async function showAttention(
  lens: LensContext,
  preset?: AttentionMode,
  provider?: ProviderChoice,
): Promise<AttentionResult | undefined> {
  const mode = preset ?? (await vscode.window.showQuickPick(MODES, { title: 'Longformer Lens: which attention?' }))?.mode;
  if (mode === undefined) return undefined;
  const request = await documentRequest(lens, 'attention', provider);
  if (request === undefined) return undefined;
  const { editor, params } = request;
  const document = editor.document;
  const at = mode === 'token' ? document.offsetAt(editor.selection.active) : undefined;
  const selection: OverlaySelection = { mode, layer: 'mean', head: 'mean', ...(at === undefined ? {} : { at }) };
  const version = document.version;
  const map =
    lens.attention.get(document.uri.toString(), version, selection) ??
    (await runTask(
      lens,
      {
        task: 'attention',
        title: 'Computing attention',
        document,
        model: params,
        retry: (onCpu) => void showAttention(lens, mode, onCpu ? 'cpu' : provider),
      },
      ({ signal, onProgress, onEngine }) =>
        lens.worker.request('attention', { ...params, mode, ...(at === undefined ? {} : { at }) }, { signal, onProgress, onEngine }),
      (result) => `attention (${result.mode}), layer ${result.layer}, head ${result.head}`,
    ));
  if (map === undefined) return undefined;
  map.warnings.forEach((warning) => lens.log.warn(warning));
  lens.attention.put(document.uri.toString(), version, selection, map);
  if (document.version !== version) lens.attention.markStale(document.uri.toString(), 'The document changed since this map was computed.');
  const shaded = lens.heat.show(document);
  lens.log.info(
    `attention (${mode}, layer ${String(map.layer)}, head ${String(map.head)}) over ${map.scores.length} tokens on ${map.provider}; ${shaded} shaded`,
  );
  return map;
}

/** Returns whether the heat is shown afterwards. */
export async function toggleAttentionHeat(lens: LensContext): Promise<boolean> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showWarningMessage('Longformer Lens: open a document first.');
    return false;
  }
  const document = editor.document;
  if (lens.heat.isShown(document)) {
    lens.heat.hide(document);
    return false;
  }
  const current = lens.attention.current(document.uri.toString());
  if (current !== undefined && current.stale === undefined && current.version === document.version) {
    lens.heat.show(document);
    return true;
  }
  return (await showAttention(lens, current?.selection.mode ?? 'global')) !== undefined;
}
