// "Longformer Lens: Show Attention Heatmap": colours each token by the attention it gets, as the user chooses it.
import * as vscode from 'vscode';
import type { ProviderChoice } from '../../core/runtime/provider-choice';
import type { AttentionMap, AttentionMode } from '../../core/tasks/attention';
import type { LensContext } from '../context';
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
): Promise<AttentionMap | undefined> {
  const mode = preset ?? (await vscode.window.showQuickPick(MODES, { title: 'Longformer Lens: which attention?' }))?.mode;
  if (mode === undefined) return undefined;
  const request = await documentRequest(lens, 'attention', provider);
  if (request === undefined) return undefined;
  const { editor, params } = request;
  const at = mode === 'token' ? editor.document.offsetAt(editor.selection.active) : undefined;
  const map = await runTask(
    lens,
    {
      task: 'attention',
      title: 'Computing attention',
      document: editor.document,
      model: params,
      retry: (onCpu) => void showAttention(lens, mode, onCpu ? 'cpu' : provider),
    },
    ({ signal, onProgress, onEngine }) =>
      lens.worker.request('attention', { ...params, mode, ...(at === undefined ? {} : { at }) }, { signal, onProgress, onEngine }),
    (result) => `attention (${result.mode}), layer ${result.layer}, head ${result.head}`,
  );
  if (map === undefined) return undefined;
  map.warnings.forEach((warning) => lens.log.warn(warning));
  const shown = lens.heatmap.show(editor, map);
  lens.log.info(
    `attention (${mode}, layer ${map.layer}, head ${map.head}) over ${map.scores.length} tokens on ${map.provider}; ${shown} highlighted`,
  );
  return map;
}
