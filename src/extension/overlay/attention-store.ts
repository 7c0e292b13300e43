// The attention maps computed for each document, shared by the overlay panel and the editor heatmap: a map asked for
// twice (switching back to a layer or head) comes from here, not from the model. Pure (no `vscode`).
import type { AttentionResult } from '../../worker/protocol';
import { type OverlaySelection, selectionKey } from './messages';

interface DocumentMaps {
  /** The document version the maps were computed on. */
  readonly version: number;
  readonly maps: Map<string, AttentionResult>;
  current?: { readonly selection: OverlaySelection; readonly map: AttentionResult };
  /** Why the maps no longer match the text (an edit, a change on disk); undefined while they do. */
  stale?: string;
}

export interface CurrentMap {
  readonly selection: OverlaySelection;
  readonly map: AttentionResult;
  readonly version: number;
  readonly stale: string | undefined;
}

/** Maps kept per document; a few selections each is plenty (each map is 12 bytes a token). */
const MAPS_PER_DOCUMENT = 64;

export class AttentionStore {
  private readonly documents = new Map<string, DocumentMaps>();
  private readonly listeners = new Set<(uri: string) => void>();

  /** A cached map for this selection on this version of the document. */
  get(uri: string, version: number, selection: OverlaySelection): AttentionResult | undefined {
    const entry = this.documents.get(uri);
    if (entry === undefined || entry.version !== version || entry.stale !== undefined) return undefined;
    return entry.maps.get(selectionKey(selection));
  }

  /** Records a map and makes it the document's current one (what the overlay and the editor heatmap show). */
  put(uri: string, version: number, selection: OverlaySelection, map: AttentionResult): void {
    let entry = this.documents.get(uri);
    if (entry === undefined || entry.version !== version || entry.stale !== undefined) {
      entry = { version, maps: new Map() };
      this.documents.set(uri, entry);
    }
    const key = selectionKey(selection);
    entry.maps.delete(key);
    entry.maps.set(key, map);
    // Oldest first in insertion order: drop from the front.
    for (const oldest of entry.maps.keys()) {
      if (entry.maps.size <= MAPS_PER_DOCUMENT) break;
      entry.maps.delete(oldest);
    }
    entry.current = { selection, map };
    this.emit(uri);
  }

  current(uri: string): CurrentMap | undefined {
    const entry = this.documents.get(uri);
    if (entry?.current === undefined) return undefined;
    return { ...entry.current, version: entry.version, stale: entry.stale };
  }

  markStale(uri: string, reason: string): void {
    const entry = this.documents.get(uri);
    if (entry === undefined || entry.stale !== undefined) return;
    entry.stale = reason;
    this.emit(uri);
  }

  forget(uri: string): void {
    if (this.documents.delete(uri)) this.emit(uri);
  }

  onDidChange(listener: (uri: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(uri: string): void {
    for (const listener of this.listeners) listener(uri);
  }
}
