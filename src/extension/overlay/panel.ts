// "Longformer Lens: Show Attention Overlay": a webview beside the editor that shows the document shaded by
// attention, with mode, layer and head controls, a legend and a tooltip (media/overlay.js draws it). This side owns
// the data: it asks the engine worker for a mode's maps of every layer and head at once (a cube, kept in the
// AttentionStore), so switching layer or head derives the map without the engine, and follows the editor (click reveals, cursor scrolls, an edit marks the map stale). The serializer
// restores the panel after a restart.
import * as vscode from 'vscode';
import type { AttentionResult } from '../../worker/protocol';
import { documentParams } from '../document-request';
import type { LensContext } from '../context';
import { runTask } from '../run-task';
import type { HeatOptions } from './heat-scale';
import { overlayHtml } from './html';
import type { FromWebview, OverlayDocument, OverlaySelection, OverlaySimulation, OverlayViewState, ToWebview } from './messages';

export const OVERLAY_VIEW_TYPE = 'longformerLens.overlay';

const DEFAULT_SELECTION: OverlaySelection = { mode: 'global', layer: 'mean', head: 'mean' };

/** What the e2e suite reads back: the webview's own reports. */
export interface OverlayReport {
  readonly html: string;
  readonly localResourceRoots: readonly string[];
  readonly selection: OverlaySelection;
  readonly rendered: Extract<FromWebview, { type: 'rendered' }>[];
  readonly scrolled: Extract<FromWebview, { type: 'scrolled' }> | undefined;
  readonly visible: boolean;
  /** Why the shown map no longer fits the text, if it does not. */
  readonly stale: string | undefined;
}

export class AttentionOverlay implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelSubscriptions: vscode.Disposable[] = [];
  private target: vscode.Uri | undefined;
  private selection: OverlaySelection = DEFAULT_SELECTION;
  /** The document version whose text and tokens the webview holds. */
  private sent: { uri: string; version: number } | undefined;
  private restored: OverlayViewState | undefined;
  /** The webview's script has loaded and said so; until then onReady will send what show() computed. */
  private ready = false;
  private running: AbortController | undefined;
  private readonly rendered: Extract<FromWebview, { type: 'rendered' }>[] = [];
  private scrolled: Extract<FromWebview, { type: 'scrolled' }> | undefined;
  private readonly onReport = new vscode.EventEmitter<FromWebview>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly lens: LensContext) {
    this.subscriptions = [
      this.onReport,
      vscode.window.registerWebviewPanelSerializer(OVERLAY_VIEW_TYPE, {
        deserializeWebviewPanel: (panel, state: unknown) => Promise.resolve(this.adopt(panel, restoredState(state))),
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length === 0) return;
        // Also fires when a file changed on disk is reloaded (the edit and the reload read the same to this event):
        // either way the offsets no longer fit the text.
        const reason = 'The document changed since this map was computed.';
        lens.attention.markStale(event.document.uri.toString(), reason);
        if (this.target?.toString() === event.document.uri.toString()) this.post({ type: 'stale', reason });
      }),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (this.panel === undefined || event.textEditor.document.uri.toString() !== this.target?.toString()) return;
        this.post({ type: 'cursor', offset: event.textEditor.document.offsetAt(event.selections[0]!.active) });
      }),
    ];
  }

  /** Opens (or reveals) the overlay for a document and shows `selection`, or the current one. */
  async open(document: vscode.TextDocument, selection: OverlaySelection = this.selection): Promise<AttentionResult | undefined> {
    if (this.panel === undefined) {
      const panel = vscode.window.createWebviewPanel(
        OVERLAY_VIEW_TYPE,
        'Attention Overlay',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        {},
      );
      this.adopt(panel, undefined);
    } else {
      this.panel.reveal(undefined, true);
    }
    if (this.target?.toString() !== document.uri.toString()) this.sent = undefined;
    this.target = document.uri;
    this.panel!.title = `Attention: ${basename(document.uri)}`;
    return this.show(selection);
  }

  /** Shows a selection on the target document: from the store when its mode's cube is there, else from the engine. */
  async show(selection: OverlaySelection): Promise<AttentionResult | undefined> {
    const uri = this.target;
    if (uri === undefined || this.panel === undefined) return undefined;
    const document = await vscode.workspace.openTextDocument(uri);
    const resolved = this.withSource(document, selection);
    this.selection = resolved;
    const key = uri.toString();
    let map = this.lens.attention.get(key, document.version, resolved);
    if (map === undefined) {
      this.running?.abort();
      const controller = new AbortController();
      this.running = controller;
      this.post({ type: 'busy', message: 'Computing attention for every layer and head…' });
      const params = await documentParams(this.lens, document, 'attention');
      if (params === undefined) {
        this.post({ type: 'failed', message: 'No model is chosen.' });
        return undefined;
      }
      const version = document.version;
      const cube = await runTask(
        this.lens,
        { task: 'attention', title: 'Computing attention for every layer and head', document, model: params },
        ({ signal, onProgress, onEngine }) =>
          this.lens.worker.request(
            'attentionCube',
            {
              ...params,
              mode: resolved.mode,
              ...(resolved.mode === 'token' && resolved.at !== undefined ? { at: resolved.at } : {}),
            },
            {
              // A newer selection replaces this one; the notification's Cancel stops it too.
              signal: anySignal(signal, controller.signal),
              onEngine,
              onProgress: (progress) => {
                onProgress(progress);
                this.post({ type: 'busy', message: progress.message });
              },
            },
          ),
        (result) => `attention overlay (${result.mode}) for ${result.layers} layers × ${result.heads} heads`,
      );
      if (this.running === controller) this.running = undefined;
      if (cube === undefined) {
        if (!controller.signal.aborted) this.post({ type: 'failed', message: 'Computing attention failed; see the log.' });
        return undefined;
      }
      cube.warnings.forEach((warning) => this.lens.log.warn(warning));
      this.lens.log.info(
        `attention overlay (${resolved.mode}) for every layer and head over ${cube.tokens} tokens on ${cube.provider}; showing layer ${String(resolved.layer)}, head ${String(resolved.head)}`,
      );
      map = this.lens.attention.putCube(key, version, resolved, cube);
      // The user may have typed while it ran: the map fits the text it was computed on, which is now stale.
      if (document.version !== version) this.lens.attention.markStale(key, 'The document changed since this map was computed.');
    } else {
      this.lens.attention.put(key, document.version, resolved, map);
    }
    if (this.target?.toString() !== key || !this.ready) return map;
    this.sendDocument(document, map);
    this.post({
      type: 'scores',
      selection: resolved,
      scores: map.scores,
      provider: map.provider,
      ...(map.token === undefined ? {} : { token: map.token }),
    });
    const stale = this.lens.attention.current(key)?.stale;
    if (stale !== undefined) this.post({ type: 'stale', reason: stale });
    return map;
  }

  /** Whether the panel is open on this document. */
  shows(document: vscode.TextDocument): boolean {
    return this.panel !== undefined && this.target?.toString() === document.uri.toString();
  }

  /** A map chosen outside the panel (the editor heat's picker): the panel's controls follow, and it shows the map. */
  async select(selection: OverlaySelection): Promise<AttentionResult | undefined> {
    if (this.target === undefined) return undefined;
    const resolved = this.withSource(await vscode.workspace.openTextDocument(this.target), selection);
    this.post({ type: 'select', selection: resolved });
    return this.show(resolved);
  }

  /** The editor heat's scale and cut-off: the panel shades with them too. */
  setOptions(options: HeatOptions): void {
    this.post({ type: 'options', scale: options.scale, top: options.top });
  }

  /** For the e2e suite: what the webview reported, and the panel's HTML. */
  report(): OverlayReport | undefined {
    if (this.panel === undefined) return undefined;
    return {
      html: this.panel.webview.html,
      localResourceRoots: (this.panel.webview.options.localResourceRoots ?? []).map((root) => root.toString()),
      selection: this.selection,
      rendered: [...this.rendered],
      scrolled: this.scrolled,
      visible: this.panel.visible,
      stale: this.target === undefined ? undefined : this.lens.attention.current(this.target.toString())?.stale,
    };
  }

  /** For the e2e suite: acts in the webview as a user would, and resolves with the webview's next report of `kind`. */
  async simulate(action: OverlaySimulation, kind: FromWebview['type'], timeoutMs = 60000): Promise<FromWebview | undefined> {
    // Listening starts before the action is posted, so that a quick report is not missed.
    const next = this.nextReport(kind, timeoutMs);
    this.post(action);
    return next;
  }

  /** Resolves with the webview's next report of `kind` (after a command that makes one). */
  nextReport(kind: FromWebview['type'], timeoutMs = 60000): Promise<FromWebview | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        listener.dispose();
        resolve(undefined);
      }, timeoutMs);
      const listener = this.onReport.event((message) => {
        if (message.type !== kind) return;
        clearTimeout(timer);
        listener.dispose();
        resolve(message);
      });
    });
  }

  dispose(): void {
    this.running?.abort();
    this.panel?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private adopt(panel: vscode.WebviewPanel, state: OverlayViewState | undefined): void {
    const media = vscode.Uri.joinPath(this.lens.extension.extensionUri, 'media');
    panel.webview.options = { enableScripts: true, localResourceRoots: [media] };
    panel.iconPath = vscode.Uri.joinPath(media, 'overlay-icon.svg');
    panel.webview.html = overlayHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'overlay.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'overlay.css')).toString(),
    });
    this.panel = panel;
    this.sent = undefined;
    this.ready = false;
    if (state !== undefined) {
      this.restored = state;
      this.target = vscode.Uri.parse(state.uri);
      this.selection = state.selection;
      panel.title = `Attention: ${basename(this.target)}`;
    }
    this.panelSubscriptions = [
      panel.webview.onDidReceiveMessage((message: FromWebview) => void this.receive(message)),
      panel.onDidDispose(() => {
        this.running?.abort();
        for (const subscription of this.panelSubscriptions) subscription.dispose();
        this.panel = undefined;
        this.sent = undefined;
      }),
    ];
  }

  private async receive(message: FromWebview): Promise<void> {
    this.onReport.fire(message);
    switch (message.type) {
      case 'ready':
        return this.onReady();
      case 'select':
        if (message.shown === true) return this.adoptShown(message.selection);
        await this.show(message.selection);
        return;
      case 'reveal':
        return this.reveal(message.start, message.end);
      case 'refresh':
        await this.show(this.selection);
        return;
      case 'rendered':
        this.rendered.push(message);
        if (this.rendered.length > 50) this.rendered.shift();
        return;
      case 'scrolled':
        this.scrolled = message;
        return;
      case 'options':
        this.lens.heat.setOptions({ scale: message.scale, top: message.top });
        return;
      case 'state':
        return;
    }
  }

  /** The webview drew a map it kept: it becomes the document's current map (the editor heat follows). */
  private async adoptShown(selection: OverlaySelection): Promise<void> {
    const uri = this.target;
    if (uri === undefined) return;
    const document = await vscode.workspace.openTextDocument(uri);
    const map = this.lens.attention.get(uri.toString(), document.version, selection);
    if (map === undefined) {
      await this.show(selection);
      return;
    }
    // A slower run for a selection the user has left is no longer wanted.
    this.running?.abort();
    this.selection = selection;
    this.lens.attention.put(uri.toString(), document.version, selection, map);
  }

  /** A new or reloaded webview (shown again, or restored) gets the current document and map again. */
  private async onReady(): Promise<void> {
    this.sent = undefined;
    this.ready = true;
    if (this.restored !== undefined) {
      this.post({ type: 'restore', state: this.restored });
      this.restored = undefined;
    }
    const uri = this.target;
    if (uri === undefined) return;
    const current = this.lens.attention.current(uri.toString());
    if (current === undefined) {
      this.post({ type: 'stale', reason: 'Restored after a restart: the attention is not computed yet.' });
      return;
    }
    const document = await vscode.workspace.openTextDocument(uri);
    this.selection = current.selection;
    this.sendDocument(document, current.map, current.version);
    this.post({
      type: 'scores',
      selection: current.selection,
      scores: current.map.scores,
      provider: current.map.provider,
      ...(current.map.token === undefined ? {} : { token: current.map.token }),
    });
    if (current.stale !== undefined || current.version !== document.version)
      this.post({ type: 'stale', reason: current.stale ?? 'The document changed since this map was computed.' });
  }

  private sendDocument(document: vscode.TextDocument, map: AttentionResult, version = document.version): void {
    const key = document.uri.toString();
    if (this.sent?.uri === key && this.sent.version === version) return;
    const text = document.version === version ? document.getText() : undefined;
    if (text === undefined) return;
    const payload: OverlayDocument = {
      uri: key,
      name: basename(document.uri),
      version,
      text,
      starts: map.starts,
      ends: map.ends,
      globalTokens: map.globalTokens,
      spans: this.lens.globalSpans.get(document),
      layers: map.model.layers,
      heads: map.model.heads,
      windowRadius: map.model.attentionWindow.map((window) => window / 2),
      model: '',
    };
    this.post({ type: 'document', document: payload });
    this.sent = { uri: key, version };
    const editor = vscode.window.visibleTextEditors.find((candidate) => candidate.document.uri.toString() === key);
    if (editor !== undefined) this.post({ type: 'cursor', offset: document.offsetAt(editor.selection.active) });
  }

  /** Mode 'token' needs a source: the given offset, else the cursor in the document's editor, else the first token. */
  private withSource(document: vscode.TextDocument, selection: OverlaySelection): OverlaySelection {
    if (selection.mode !== 'token') return { mode: selection.mode, layer: selection.layer, head: selection.head };
    if (selection.at !== undefined) return selection;
    const editor = vscode.window.visibleTextEditors.find((candidate) => candidate.document === document);
    const at = editor === undefined ? 0 : document.offsetAt(editor.selection.active);
    return { ...selection, at: Math.min(at, Math.max(0, document.getText().length - 1)) };
  }

  private async reveal(start: number, end: number): Promise<void> {
    const uri = this.target;
    if (uri === undefined) return;
    const document = await vscode.workspace.openTextDocument(uri);
    const visible = vscode.window.visibleTextEditors.find((editor) => editor.document.uri.toString() === uri.toString());
    const editor = await vscode.window.showTextDocument(document, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      preserveFocus: true,
    });
    const range = new vscode.Range(document.positionAt(start), document.positionAt(end));
    // Selected with the cursor at its start: the cursor is on the clicked token, not on the one after it, so a token
    // map from the cursor starts from the token the user clicked.
    editor.selection = new vscode.Selection(range.end, range.start);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private post(message: ToWebview): void {
    void this.panel?.webview.postMessage(message);
  }
}

function restoredState(state: unknown): OverlayViewState | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const candidate = state as Partial<OverlayViewState>;
  if (typeof candidate.uri !== 'string' || typeof candidate.selection !== 'object' || candidate.selection === null) return undefined;
  const { mode, layer, head } = candidate.selection;
  const validPart = (value: unknown): boolean => value === 'mean' || (Number.isInteger(value) && (value as number) >= 0);
  if (!['global', 'received', 'token'].includes(mode) || !validPart(layer) || !validPart(head)) return undefined;
  return {
    uri: candidate.uri,
    selection: { mode, layer, head },
    scale: candidate.scale === 'log' ? 'log' : 'linear',
    top: typeof candidate.top === 'number' && candidate.top > 0 && candidate.top <= 1 ? candidate.top : 0.1,
  };
}

function basename(uri: vscode.Uri): string {
  return uri.path.split('/').pop() ?? uri.toString();
}

/** Aborts when either signal does. */
function anySignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  if (a.aborted || b.aborted) abort();
  a.addEventListener('abort', abort, { once: true });
  b.addEventListener('abort', abort, { once: true });
  return controller.signal;
}
