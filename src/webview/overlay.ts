// The attention overlay's webview script (bundled into media/overlay.js). It draws the document as soft-wrapped
// rows of tokens shaded by attention, keeping only the rows in view in the DOM, so a 30,000-token document scrolls
// and reshades without freezing. Text is only ever set as text content. Data comes from the extension by
// postMessage (see src/extension/overlay/messages.ts); the shading and layout are the pure, unit-tested modules.
import { tokenAtOffset } from '../core/tasks/token-offsets';
import {
  DEFAULT_TOP_FRACTION,
  HEAT_LEVELS,
  type Heat,
  type HeatScale,
  TOP_FRACTIONS,
  computeHeat,
  describeScore,
  describeSelection,
  describeTop,
  formatScore,
  percentOfMax,
} from '../extension/overlay/heat-scale';
import { rowOfOffset, rowPieces, rowRange, scrollToShow, visibleRows, windowBand, wrapRows } from '../extension/overlay/layout';
import {
  type FromWebview,
  type OverlayDocument,
  type OverlaySelection,
  type OverlayViewState,
  type ToWebview,
  selectionKey,
} from '../extension/overlay/messages';

const vscode = acquireVsCodeApi<OverlayViewState>();

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`overlay: #${id} is missing`);
  return found as T;
}

const controls = {
  mode: element<HTMLSelectElement>('mode'),
  layer: element<HTMLSelectElement>('layer'),
  head: element<HTMLSelectElement>('head'),
  scale: element<HTMLSelectElement>('scale'),
  top: element<HTMLSelectElement>('top'),
};
const statusLine = element('status');
const legend = element('legend');
const banner = element('banner');
const bannerText = element('banner-text');
const scroller = element('scroller');
const spacer = element('spacer');
const rowsBox = element('rows');
const tooltip = element('tooltip');
const measure = element('measure');

interface Shown {
  readonly selection: OverlaySelection;
  readonly scores: Float32Array;
  readonly heat: Heat;
  readonly token: number | undefined;
  readonly provider: string;
}

let doc: OverlayDocument | undefined;
let isGlobal: Uint8Array = new Uint8Array(0);
let rowStarts: Uint32Array = new Uint32Array(0);
let rowHeight = 18;
let charWidth = 8;
let shown: Shown | undefined;
let selection: OverlaySelection = { mode: 'global', layer: 'mean', head: 'mean' };
let scale: HeatScale = 'linear';
/**
 * The cut-off per mode: a tenth of the tokens for the document-wide modes (attention is heavy-tailed), every token
 * for one token's map, whose nonzero values are only its window and the global tokens.
 */
const topByMode: Record<OverlaySelection['mode'], number> = { global: DEFAULT_TOP_FRACTION, received: DEFAULT_TOP_FRACTION, token: 1 };

function currentTop(): number {
  return topByMode[selection.mode];
}
let hovered = -1;
let cursorToken = -1;
let pendingFrame = 0;

/** Maps this webview has drawn for the current document: switching back to one needs no message at all. */
interface KeptMap {
  readonly scores: Float32Array;
  readonly token: number | undefined;
  readonly provider: string;
}
const kept = new Map<string, KeptMap>();
const KEPT_MAPS = 32;

function post(message: FromWebview): void {
  vscode.postMessage(message);
}

function saveState(): void {
  if (doc === undefined) return;
  const state: OverlayViewState = { uri: doc.uri, selection, scale, top: currentTop() };
  vscode.setState(state);
}

function option(select: HTMLSelectElement, value: string, label: string): void {
  const item = document.createElement('option');
  item.value = value;
  item.textContent = label;
  select.append(item);
}

function fillIndexSelect(select: HTMLSelectElement, count: number, meanLabel: string, noun: string): void {
  select.replaceChildren();
  option(select, 'mean', meanLabel);
  for (let i = 0; i < count; i += 1) option(select, String(i), `${noun} ${i}`);
}

for (const fraction of TOP_FRACTIONS) option(controls.top, String(fraction), describeTop(fraction));
controls.top.value = String(currentTop());

function syncControls(): void {
  controls.mode.value = selection.mode;
  controls.layer.value = String(selection.layer);
  controls.head.value = String(selection.head);
  controls.scale.value = scale;
  controls.top.value = String(currentTop());
}

function readIndex(value: string): number | 'mean' {
  return value === 'mean' ? 'mean' : Number(value);
}

/** When the user last asked for a map from the controls, to report the time until it is drawn. */
let requested: { readonly key: string; readonly at: number } | undefined;

function requestSelection(next: OverlaySelection): void {
  requested = { key: selectionKey(next), at: performance.now() };
  selection = next;
  saveState();
  const map = kept.get(selectionKey(next));
  if (map !== undefined) {
    showScores(next, map);
    post({ type: 'select', selection: next, shown: true });
    return;
  }
  statusLine.textContent = 'Computing…';
  post({ type: 'select', selection: next });
}

/** Whether a map computed for `computed` answers the request `wanted` (the host fills in a token mode's source). */
function sameMap(computed: OverlaySelection, wanted: OverlaySelection): boolean {
  if (computed.mode !== wanted.mode || computed.layer !== wanted.layer || computed.head !== wanted.head) return false;
  return wanted.mode !== 'token' || wanted.at === undefined || wanted.at === computed.at;
}

/** Shades and draws one map, and tells the extension how long that took. */
function showScores(shownSelection: OverlaySelection, map: KeptMap): void {
  const started = performance.now();
  selection = shownSelection;
  shown = { selection: shownSelection, ...map, heat: computeHeat(map.scores, { scale, top: currentTop() }) };
  syncControls();
  statusLine.textContent = `on ${map.provider}`;
  // The editor heat shades with the same scale and cut-off.
  post({ type: 'options', scale, top: currentTop() });
  drawLegend();
  if (map.token !== undefined && doc !== undefined) scrollToOffset(doc.starts[map.token]!);
  renderNow();
  refreshTooltip();
  saveState();
  reportRendered(started);
}

controls.mode.addEventListener('change', () => {
  const mode = controls.mode.value as OverlaySelection['mode'];
  // The source: the token map's own, else the editor's cursor (or the token clicked last). Naming it means a late map
  // for another source (a slow run) is not taken for this one.
  const source = shown?.token ?? (cursorToken >= 0 ? cursorToken : undefined);
  const at = mode === 'token' && source !== undefined && doc !== undefined ? doc.starts[source] : undefined;
  requestSelection({ mode, layer: selection.layer, head: selection.head, ...(at === undefined ? {} : { at }) });
});
controls.layer.addEventListener('change', () => requestSelection({ ...selection, layer: readIndex(controls.layer.value) }));
controls.head.addEventListener('change', () => requestSelection({ ...selection, head: readIndex(controls.head.value) }));
controls.scale.addEventListener('change', () => {
  scale = controls.scale.value === 'log' ? 'log' : 'linear';
  reshade();
});
controls.top.addEventListener('change', () => {
  topByMode[selection.mode] = Number(controls.top.value);
  reshade();
});
element('refresh').addEventListener('click', () => {
  banner.hidden = true;
  statusLine.textContent = 'Computing…';
  post({ type: 'refresh' });
});

/** Recomputes levels for the new scale or cut-off: no engine involved. */
function reshade(): void {
  saveState();
  post({ type: 'options', scale, top: currentTop() });
  if (shown === undefined) return;
  const started = performance.now();
  shown = { ...shown, heat: computeHeat(shown.scores, { scale, top: currentTop() }) };
  drawLegend();
  renderNow();
  refreshTooltip();
  reportRendered(started);
}

function measureFont(): void {
  const box = measure.getBoundingClientRect();
  if (box.width > 0) charWidth = box.width / 10;
  if (box.height > 0) rowHeight = Math.ceil(box.height);
}

function columns(): number {
  return Math.max(20, Math.floor((scroller.clientWidth - 24) / charWidth));
}

let wrappedAt = 0;
function relayout(): void {
  if (doc === undefined) return;
  measureFont();
  const width = columns();
  if (width !== wrappedAt) {
    const anchor = rowStarts[Math.floor(scroller.scrollTop / rowHeight)] ?? 0;
    rowStarts = wrapRows(doc.text, width);
    wrappedAt = width;
    spacer.style.height = `${rowStarts.length * rowHeight}px`;
    scroller.scrollTop = rowOfOffset(rowStarts, anchor) * rowHeight;
  }
  renderNow();
}

function scheduleRender(): void {
  if (pendingFrame !== 0) return;
  pendingFrame = requestAnimationFrame(() => {
    pendingFrame = 0;
    renderNow();
  });
}

function bandRadius(): number {
  if (doc === undefined) return 0;
  const layer = selection.layer === 'mean' ? undefined : selection.layer;
  return layer === undefined ? Math.max(0, ...doc.windowRadius) : (doc.windowRadius[layer] ?? 0);
}

/** Draws the rows in view (and a few around them); everything else is empty space in the spacer. */
function renderNow(): void {
  if (doc === undefined) return;
  const { start, end } = visibleRows(scroller.scrollTop, scroller.clientHeight, rowHeight, rowStarts.length);
  const band = hovered >= 0 ? windowBand(hovered, bandRadius(), doc.starts.length) : { first: 1, last: 0 };
  const levels = shown?.heat.levels;
  const source = shown?.selection.mode === 'token' ? shown.token : undefined;
  const fragment = document.createDocumentFragment();
  for (let row = start; row < end; row += 1) {
    const line = document.createElement('div');
    line.className = 'row';
    line.style.top = `${row * rowHeight}px`;
    const range = rowRange(doc.text, rowStarts, row);
    for (const piece of rowPieces(doc.starts, doc.ends, range.start, range.end)) {
      const text = doc.text.slice(piece.start, piece.end);
      if (piece.token < 0) {
        line.append(text);
        continue;
      }
      const span = document.createElement('span');
      span.textContent = text;
      span.dataset['t'] = String(piece.token);
      const classes = ['t'];
      const level = levels?.[piece.token] ?? 0;
      if (level > 0) classes.push(`h${level}`);
      if (isGlobal[piece.token] === 1) classes.push('global');
      if (piece.token === source) classes.push('source');
      if (piece.token === cursorToken) classes.push('cursor');
      if (piece.token >= band.first && piece.token <= band.last) classes.push('band');
      if (piece.token === hovered) classes.push('hovered');
      span.className = classes.join(' ');
      line.append(span);
    }
    fragment.append(line);
  }
  rowsBox.replaceChildren(fragment);
}

/** The open tooltip names the score of the map on screen, not of the map shown when the pointer arrived. */
function refreshTooltip(): void {
  if (!tooltip.hidden && hovered >= 0) showTooltip(hovered, pointer.x, pointer.y);
}

function reportRendered(started: number): void {
  if (shown === undefined) return;
  const now = performance.now();
  const ms = now - started;
  const first = Math.floor(scroller.scrollTop / rowHeight);
  // A token map's request may name no source yet (the host fills it in), so its key is matched without one.
  const { mode, layer, head } = shown.selection;
  const key = selectionKey({ mode, layer, head });
  const asked =
    requested !== undefined && (requested.key === selectionKey(shown.selection) || requested.key === key) ? requested : undefined;
  if (asked !== undefined) requested = undefined;
  post({
    type: 'rendered',
    selection: shown.selection,
    ms,
    firstRow: first,
    rows: rowStarts.length,
    ...(asked === undefined ? {} : { sinceRequestMs: now - asked.at }),
  });
}

function drawLegend(): void {
  legend.replaceChildren();
  if (shown === undefined || doc === undefined) return;
  const { heat } = shown;
  const title = document.createElement('span');
  title.className = 'legend-title';
  title.textContent = `${describeSelection(shown.selection)} · max ${formatScore(heat.max)}`;
  legend.append(title);
  const bar = document.createElement('span');
  bar.className = 'legend-bar';
  for (let level = 1; level <= HEAT_LEVELS; level += 1) {
    const swatch = document.createElement('span');
    swatch.className = `swatch h${level}`;
    swatch.title = `${formatScore(heat.stops[level - 1]!)} to ${formatScore(heat.stops[level]!)}`;
    bar.append(swatch);
  }
  const low = document.createElement('span');
  low.className = 'legend-value';
  low.textContent = percentOfMax(heat.threshold, heat.max);
  const high = document.createElement('span');
  high.className = 'legend-value';
  high.textContent = `100 % (${scale})`;
  const count = document.createElement('span');
  count.className = 'legend-note';
  count.textContent = `${heat.shaded.toLocaleString('en-US')} of ${shown.scores.length.toLocaleString('en-US')} tokens shaded; outlined: global`;
  legend.append(low, bar, high, count);
}

function showTooltip(token: number, x: number, y: number): void {
  if (doc === undefined) return;
  tooltip.replaceChildren();
  const text = document.createElement('div');
  text.className = 'tooltip-token';
  text.textContent = JSON.stringify(doc.text.slice(doc.starts[token], doc.ends[token]));
  const score = document.createElement('div');
  score.textContent = shown === undefined ? 'no map yet' : describeScore(shown.heat, shown.scores, token);
  const facts = document.createElement('div');
  facts.className = 'tooltip-note';
  const notes = [`token ${token.toLocaleString('en-US')}`, `window ±${bandRadius()} tokens`];
  if (isGlobal[token] === 1) notes.push('global');
  if (shown?.selection.mode === 'token' && token === shown.token) notes.push('source');
  facts.textContent = notes.join(' · ');
  tooltip.append(text, score, facts);
  tooltip.hidden = false;
  const box = tooltip.getBoundingClientRect();
  tooltip.style.left = `${Math.min(x + 12, window.innerWidth - box.width - 4)}px`;
  tooltip.style.top = `${y + 16 + box.height > window.innerHeight ? y - box.height - 8 : y + 16}px`;
}

function tokenOf(target: EventTarget | null): number {
  if (!(target instanceof HTMLElement)) return -1;
  const value = target.dataset['t'];
  return value === undefined ? -1 : Number(value);
}

/** Where the pointer was last over a token: a new map rewrites the open tooltip there. */
let pointer = { x: 0, y: 0 };
rowsBox.addEventListener('mouseover', (event) => {
  const token = tokenOf(event.target);
  pointer = { x: event.clientX, y: event.clientY };
  if (token === hovered) return;
  hovered = token;
  if (token < 0) tooltip.hidden = true;
  else showTooltip(token, event.clientX, event.clientY);
  scheduleRender();
});
rowsBox.addEventListener('mouseleave', () => {
  hovered = -1;
  tooltip.hidden = true;
  scheduleRender();
});
// A click is a press and a release on the same token, by its index: the rows can be drawn again in between (the
// hover redraws them on the next frame), and the browser fires no 'click' when the element under the press is gone.
let pressed = -1;
rowsBox.addEventListener('mousedown', (event) => {
  pressed = event.button === 0 ? tokenOf(event.target) : -1;
});
rowsBox.addEventListener('mouseup', (event) => {
  const token = tokenOf(event.target);
  const wasPressed = pressed;
  pressed = -1;
  // A drag that selects text ends elsewhere: not a click.
  if (token < 0 || token !== wasPressed || doc === undefined) return;
  clickToken(token);
});

/** A click reveals the token in the editor; in mode 'token' it also becomes the source token. */
function clickToken(token: number): void {
  if (doc === undefined) return;
  const start = doc.starts[token]!;
  // The editor's cursor goes there (the host's 'cursor' report follows); the next token map starts from it.
  cursorToken = token;
  post({ type: 'reveal', start, end: doc.ends[token]! });
  if (selection.mode === 'token') requestSelection({ ...selection, at: start });
}

scroller.addEventListener('scroll', () => {
  tooltip.hidden = true;
  scheduleRender();
});
new ResizeObserver(() => relayout()).observe(scroller);

function scrollToOffset(offset: number): void {
  const row = rowOfOffset(rowStarts, offset);
  scroller.scrollTop = scrollToShow(row, scroller.scrollTop, scroller.clientHeight, rowHeight);
}

function setDocument(next: OverlayDocument): void {
  doc = next;
  isGlobal = new Uint8Array(next.starts.length);
  for (const token of next.globalTokens) isGlobal[token] = 1;
  fillIndexSelect(controls.layer, next.layers, 'mean of layers', 'layer');
  fillIndexSelect(controls.head, next.heads, 'mean of heads', 'head');
  syncControls();
  document.title = `Attention: ${next.name}`;
  wrappedAt = 0;
  shown = undefined;
  kept.clear();
  cursorToken = -1;
  relayout();
  saveState();
}

function simulate(message: Extract<ToWebview, { type: 'simulate' }>): void {
  if (message.control === 'refresh') {
    element('refresh').click();
    return;
  }
  if (!('value' in message)) {
    if (doc === undefined) return;
    scrollToOffset(doc.starts[message.token]!);
    renderNow();
    const target = rowsBox.querySelector<HTMLElement>(`span[data-t="${message.token}"]`);
    if (target === null) return;
    const box = target.getBoundingClientRect();
    const init = { bubbles: true, clientX: box.left + 1, clientY: box.top + 1 };
    const events = message.control === 'click' ? ['mousedown', 'mouseup'] : ['mouseover'];
    for (const type of events) target.dispatchEvent(new MouseEvent(type, init));
    return;
  }
  const select = controls[message.control];
  select.value = message.value;
  select.dispatchEvent(new Event('change'));
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  switch (message.type) {
    case 'document':
      setDocument(message.document);
      return;
    case 'scores': {
      const map = { scores: message.scores, token: message.token, provider: message.provider };
      kept.set(selectionKey(message.selection), map);
      for (const oldest of kept.keys()) {
        if (kept.size <= KEPT_MAPS) break;
        kept.delete(oldest);
      }
      banner.hidden = true;
      // A map computed for a selection the user has since left (a slow engine run) is kept but not drawn.
      if (!sameMap(message.selection, selection)) return;
      showScores(message.selection, map);
      return;
    }
    case 'busy':
      // Progress of a run whose map is no longer wanted (the user moved on to a map seen before) must not hide that
      // the map on screen is the one selected.
      if (shown !== undefined && sameMap(shown.selection, selection)) return;
      statusLine.textContent = message.message;
      return;
    case 'failed':
      statusLine.textContent = message.message;
      syncControls();
      return;
    case 'cursor': {
      if (doc === undefined) return;
      cursorToken = tokenAtOffset(doc.starts, doc.ends, message.offset);
      scrollToOffset(message.offset);
      renderNow();
      post({ type: 'scrolled', firstRow: Math.floor(scroller.scrollTop / rowHeight), cursorToken });
      return;
    }
    case 'stale':
      bannerText.textContent = message.reason;
      banner.hidden = false;
      return;
    case 'restore':
      selection = message.state.selection;
      scale = message.state.scale;
      topByMode[message.state.selection.mode] = message.state.top;
      syncControls();
      return;
    case 'select': {
      // Chosen from the editor: the controls follow, and a map drawn before shows at once (the host sends it too).
      selection = message.selection;
      syncControls();
      saveState();
      const map = kept.get(selectionKey(message.selection));
      if (map !== undefined) showScores(message.selection, map);
      else statusLine.textContent = 'Computing…';
      return;
    }
    case 'options':
      scale = message.scale;
      topByMode[selection.mode] = message.top;
      syncControls();
      reshade();
      return;
    case 'simulate':
      simulate(message);
      return;
  }
});

const saved = vscode.getState();
if (saved !== undefined) {
  selection = saved.selection;
  scale = saved.scale;
  topByMode[saved.selection.mode] = saved.top;
  syncControls();
}
post({ type: 'ready' });
