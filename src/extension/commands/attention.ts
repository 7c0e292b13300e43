// "Show Attention Heatmap" (computes a map and shades the editor with it), "Toggle Attention Heat in Editor" (shows
// or hides the document's current map: the overlay's selection, or the default one computed on demand) and the heat
// legend's picker, "Attention Heat: Layer, Head and Cut-off…" (the same choices as the overlay's controls, shared
// with it: a layer picked here shows in the overlay too).
import * as vscode from 'vscode';
import type { ProviderChoice } from '../../core/runtime/provider-choice';
import type { AttentionMode } from '../../core/tasks/attention';
import type { AttentionResult } from '../../worker/protocol';
import type { LensContext } from '../context';
import { type HeatOptions, type HeatScale, TOP_FRACTIONS, describeTop } from '../overlay/heat-scale';
import type { OverlaySelection } from '../overlay/messages';
import type { AttentionOverlay } from '../overlay/panel';
import { documentRequest } from '../document-request';
import { approximationNote, runTask } from '../run-task';

const MODES: ReadonlyArray<{ label: string; detail: string; mode: AttentionMode }> = [
  { label: 'From the global tokens', detail: 'How much the global tokens (<s>, marked spans) attend to each token.', mode: 'global' },
  { label: 'Received by each token', detail: 'The total attention each token receives from its window and the globals.', mode: 'received' },
  { label: 'From the token at the cursor', detail: 'Where the token under the cursor looks: its window and the globals.', mode: 'token' },
];

/** A change the heat picker makes (also what the e2e suite passes to skip the picker). */
export interface HeatChoice {
  readonly mode?: AttentionMode;
  readonly layer?: number | 'mean';
  readonly head?: number | 'mean';
  readonly scale?: HeatScale;
  readonly top?: number;
}

export async function showAttention(
  lens: LensContext,
  preset?: AttentionMode,
  provider?: ProviderChoice,
): Promise<AttentionResult | undefined> {
  const mode = preset ?? (await vscode.window.showQuickPick(MODES, { title: 'Longformer Lens: which attention?' }))?.mode;
  if (mode === undefined) return undefined;
  const editor = vscode.window.activeTextEditor;
  // The layer and head the overlay or the heat picker chose last for this document.
  const last = editor === undefined ? undefined : lens.attention.current(editor.document.uri.toString())?.selection;
  return computeAttention(lens, { mode, layer: last?.layer ?? 'mean', head: last?.head ?? 'mean' }, provider);
}

/**
 * Computes (or derives from the store) the active document's map for `selection` and shades the editor with it: the
 * engine gives the mode's maps of every layer and head at once, so another layer or head later needs no run.
 */
async function computeAttention(
  lens: LensContext,
  wanted: OverlaySelection,
  provider?: ProviderChoice,
): Promise<AttentionResult | undefined> {
  const request = await documentRequest(lens, 'attention', provider);
  if (request === undefined) return undefined;
  const { editor, params } = request;
  const document = editor.document;
  const { mode, layer, head } = wanted;
  const at = mode === 'token' ? (wanted.at ?? document.offsetAt(editor.selection.active)) : undefined;
  const selection: OverlaySelection = { mode, layer, head, ...(at === undefined ? {} : { at }) };
  const version = document.version;
  const uri = document.uri.toString();
  let map = lens.attention.get(uri, version, selection);
  if (map === undefined) {
    const cube = await runTask(
      lens,
      {
        task: 'attention',
        title: 'Computing attention for every layer and head',
        document,
        model: params,
        retry: (onCpu) => void computeAttention(lens, selection, onCpu ? 'cpu' : provider),
      },
      ({ signal, onProgress, onEngine }) =>
        lens.worker.request('attentionCube', { ...params, mode, ...(at === undefined ? {} : { at }) }, { signal, onProgress, onEngine }),
      (result) => `attention (${result.mode}) for ${result.layers} layers × ${result.heads} heads`,
    );
    if (cube === undefined) return undefined;
    cube.warnings.forEach((warning) => lens.log.warn(warning));
    map = lens.attention.putCube(uri, version, selection, cube);
  } else {
    lens.attention.put(uri, version, selection, map);
  }
  if (document.version !== version) lens.attention.markStale(uri, 'The document changed since this map was computed.');
  const shaded = lens.heat.show(document);
  lens.log.info(
    `attention (${mode}, layer ${String(map.layer)}, head ${String(map.head)}) over ${map.scores.length} tokens on ${map.provider}; ${shaded} shaded${approximationNote(map)}`,
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

/**
 * The heat legend's picker: mode, layer, head, cut-off and scale, the current ones checked. A map change goes through
 * the overlay when it shows this document (its controls follow), else straight to the engine; the scale and cut-off
 * are shared with the overlay. A cleared (stale) heat is computed again first. Resolves with the map shown after.
 */
export async function chooseHeat(lens: LensContext, overlay: AttentionOverlay, preset?: HeatChoice): Promise<AttentionResult | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showWarningMessage('Longformer Lens: open a document first.');
    return undefined;
  }
  const document = editor.document;
  let current = lens.attention.current(document.uri.toString());
  if (current === undefined || current.stale !== undefined || current.version !== document.version) {
    const selection = current?.selection ?? { mode: 'global', layer: 'mean', head: 'mean' };
    const map = overlay.shows(document) ? await overlay.select(selection) : await computeAttention(lens, selection);
    if (map === undefined) return undefined;
    lens.heat.show(document);
    if (preset === undefined) return map;
    current = lens.attention.current(document.uri.toString());
    if (current === undefined) return map;
  }
  const choice = preset ?? (await pickHeatChoice(current.selection, current.map, lens.heat.heatOptions));
  if (choice === undefined) return current.map;
  if (choice.scale !== undefined || choice.top !== undefined) {
    const options: HeatOptions = { scale: choice.scale ?? lens.heat.heatOptions.scale, top: choice.top ?? lens.heat.heatOptions.top };
    lens.heat.setOptions(options);
    if (overlay.shows(document)) overlay.setOptions(options);
  }
  const { mode = current.selection.mode, layer = current.selection.layer, head = current.selection.head } = choice;
  lens.heat.show(document);
  if (mode === current.selection.mode && layer === current.selection.layer && head === current.selection.head) return current.map;
  // A token map keeps its source token; another mode needs none.
  const at = mode === 'token' && current.selection.mode === 'token' ? current.selection.at : undefined;
  const selection: OverlaySelection = { mode, layer, head, ...(at === undefined ? {} : { at }) };
  const map = overlay.shows(document) ? await overlay.select(selection) : await computeAttention(lens, selection);
  if (map !== undefined) lens.heat.show(document);
  return map;
}

async function pickHeatChoice(selection: OverlaySelection, map: AttentionResult, options: HeatOptions): Promise<HeatChoice | undefined> {
  type Item = vscode.QuickPickItem & { readonly choice?: HeatChoice };
  const mark = (on: boolean, label: string): string => `${on ? '$(check)' : '$(blank)'} ${label}`;
  const section = (label: string): Item => ({ label, kind: vscode.QuickPickItemKind.Separator });
  const index = (count: number, noun: string, chosen: number | 'mean', make: (value: number | 'mean') => HeatChoice): Item[] => [
    { label: mark(chosen === 'mean', `mean of ${noun}s`), choice: make('mean') },
    ...Array.from({ length: count }, (_, i) => ({ label: mark(chosen === i, `${noun} ${i}`), choice: make(i) })),
  ];
  const items: Item[] = [
    section('Attention'),
    ...MODES.map(({ label, detail, mode }) => ({ label: mark(selection.mode === mode, label), detail, choice: { mode } })),
    section('Layer'),
    ...index(map.model.layers, 'layer', selection.layer, (layer) => ({ layer })),
    section('Head'),
    ...index(map.model.heads, 'head', selection.head, (head) => ({ head })),
    section('Cut-off: shade the highest-scoring tokens'),
    ...TOP_FRACTIONS.map((top) => ({ label: mark(options.top === top, describeTop(top)), choice: { top } })),
    section('Scale'),
    ...(['linear', 'log'] as const).map((scale) => ({ label: mark(options.scale === scale, `${scale} scale`), choice: { scale } })),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Longformer Lens: attention heat',
    placeHolder: 'Pick a layer, head, cut-off or scale (shared with the attention overlay)',
    matchOnDetail: true,
  });
  return picked?.choice;
}
