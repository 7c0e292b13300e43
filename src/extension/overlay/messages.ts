// Every message between the overlay panel (extension host) and its webview script, declared once. Attention data
// travels as typed arrays (postMessage keeps them), never as one object per token.
// The webview script imports this file too, so it names no module that needs Node.
import type { HeatScale } from './heat-scale';

/** The attention task's modes (core/tasks/attention AttentionMode). */
export type OverlayMode = 'global' | 'received' | 'token';

/** Which map the overlay shows; layer and head are an index or the mean. */
export interface OverlaySelection {
  readonly mode: OverlayMode;
  readonly layer: number | 'mean';
  readonly head: number | 'mean';
  /** The source token's UTF-16 offset, for mode 'token'. */
  readonly at?: number;
}

/** What the webview keeps through a restart (vscode.setState) and the serializer reads back. */
export interface OverlayViewState {
  readonly uri: string;
  readonly selection: OverlaySelection;
  readonly scale: HeatScale;
  readonly top: number;
}

/** The document as tokenized for the map: its text and each token's UTF-16 range. */
export interface OverlayDocument {
  readonly uri: string;
  readonly name: string;
  readonly version: number;
  readonly text: string;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  /** Document tokens that were global through the marked spans, and the spans themselves (outlined). */
  readonly globalTokens: Int32Array;
  readonly spans: readonly { readonly start: number; readonly end: number }[];
  readonly layers: number;
  readonly heads: number;
  /** One-sided local window per layer (attention_window / 2), for the hovered token's band. */
  readonly windowRadius: readonly number[];
  /** Whose model: shown in the header. */
  readonly model: string;
}

export type ToWebview =
  | { readonly type: 'document'; readonly document: OverlayDocument }
  | {
      readonly type: 'scores';
      readonly selection: OverlaySelection;
      readonly scores: Float32Array;
      /** The source token (mode 'token'). */
      readonly token?: number;
      readonly provider: string;
    }
  | { readonly type: 'busy'; readonly message: string }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'cursor'; readonly offset: number }
  | { readonly type: 'stale'; readonly reason: string }
  | { readonly type: 'restore'; readonly state: OverlayViewState }
  /** The editor heat's choice of map (its layer and head picker): the panel's controls follow. */
  | { readonly type: 'select'; readonly selection: OverlaySelection }
  /** The editor heat's scale and cut-off: the panel shades with them too. */
  | { readonly type: 'options'; readonly scale: HeatScale; readonly top: number }
  | OverlaySimulation;

/** The e2e suite acts as a user would: sets a control or clicks a token, through the same handlers. */
export type OverlaySimulation =
  | { readonly type: 'simulate'; readonly control: 'mode' | 'layer' | 'head' | 'scale' | 'top'; readonly value: string }
  | { readonly type: 'simulate'; readonly control: 'click' | 'hover'; readonly token: number }
  | { readonly type: 'simulate'; readonly control: 'refresh' };

export type FromWebview =
  | { readonly type: 'ready' }
  /** `shown`: the webview already had this map and drew it; the host only makes it the current one. */
  | { readonly type: 'select'; readonly selection: OverlaySelection; readonly shown?: boolean }
  | { readonly type: 'reveal'; readonly start: number; readonly end: number }
  | { readonly type: 'refresh' }
  /** How long the webview took to shade and draw a map it got (for the e2e suite and the measurements). */
  | {
      readonly type: 'rendered';
      readonly selection: OverlaySelection;
      readonly ms: number;
      /** From the control change that asked for this map to its drawing (the host's answer included), when one did. */
      readonly sinceRequestMs?: number;
      readonly firstRow: number;
      readonly rows: number;
    }
  | { readonly type: 'scrolled'; readonly firstRow: number; readonly cursorToken: number }
  | { readonly type: 'options'; readonly scale: HeatScale; readonly top: number }
  | { readonly type: 'state'; readonly state: OverlayViewState };

/** Equal selections ask for the same map (the cache key). */
export function selectionKey(selection: OverlaySelection): string {
  return JSON.stringify([selection.mode, selection.layer, selection.head, selection.mode === 'token' ? (selection.at ?? null) : null]);
}

/** Selections that one engine run answers (a mode's cube of every layer and head): the same mode and source token. */
export function cubeKey(selection: OverlaySelection): string {
  return JSON.stringify([selection.mode, selection.mode === 'token' ? (selection.at ?? null) : null]);
}
