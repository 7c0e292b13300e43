// The attention computed for each document, shared by the overlay panel and the editor heatmap. The engine returns
// one mode's maps for every layer and head at once (a cube, AttentionCubeResult), kept here per (document version,
// mode, source token); the map of any layer/head selection is derived from it (attentionMapOf, the mean of the
// cube's rows), so switching layer, head or mean never asks the engine once the mode is computed. Pure (no `vscode`).
import { attentionMapOf } from '../../core/tasks/attention-cube';
import type { AttentionCubeResult, AttentionResult } from '../../worker/protocol';
import { cubeKey, type OverlaySelection, selectionKey } from './messages';

interface DocumentMaps {
  /** The document version the cubes were computed on. */
  readonly version: number;
  /** By cubeKey: mode and, for mode 'token', the source offset. */
  readonly cubes: Map<string, AttentionCubeResult>;
  /** Maps derived from the cubes (or recorded with put), by selectionKey. */
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

/**
 * Cubes kept per document: global, received and a few source tokens. Each is layers × heads × 4 bytes a token (the
 * base model: 576 bytes a token, 18 MB at 31,000 tokens).
 */
const CUBES_PER_DOCUMENT = 4;
/** Derived maps kept per document (4 bytes a token each, besides the shared token ranges). */
const MAPS_PER_DOCUMENT = 64;

export class AttentionStore {
  private readonly documents = new Map<string, DocumentMaps>();
  private readonly listeners = new Set<(uri: string) => void>();

  /** The map of this selection on this version of the document: kept, or derived from its mode's cube. */
  get(uri: string, version: number, selection: OverlaySelection): AttentionResult | undefined {
    const entry = this.valid(uri, version);
    if (entry === undefined) return undefined;
    const key = selectionKey(selection);
    const kept = entry.maps.get(key);
    if (kept !== undefined) return kept;
    const cube = entry.cubes.get(cubeKey(selection));
    if (cube === undefined) return undefined;
    const map = derive(cube, selection);
    remember(entry.maps, key, map, MAPS_PER_DOCUMENT);
    return map;
  }

  /** Records a mode's cube and makes the selection's map (derived from it) the document's current one. */
  putCube(uri: string, version: number, selection: OverlaySelection, cube: AttentionCubeResult): AttentionResult {
    const entry = this.entry(uri, version);
    remember(entry.cubes, cubeKey(selection), cube, CUBES_PER_DOCUMENT);
    const map = derive(cube, selection);
    this.put(uri, version, selection, map);
    return map;
  }

  /** Records a map and makes it the document's current one (what the overlay and the editor heatmap show). */
  put(uri: string, version: number, selection: OverlaySelection, map: AttentionResult): void {
    const entry = this.entry(uri, version);
    remember(entry.maps, selectionKey(selection), map, MAPS_PER_DOCUMENT);
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

  private valid(uri: string, version: number): DocumentMaps | undefined {
    const entry = this.documents.get(uri);
    return entry === undefined || entry.version !== version || entry.stale !== undefined ? undefined : entry;
  }

  /** The document's entry for this version; another version (or a stale one) starts afresh. */
  private entry(uri: string, version: number): DocumentMaps {
    let entry = this.valid(uri, version);
    if (entry === undefined) {
      entry = { version, cubes: new Map(), maps: new Map() };
      this.documents.set(uri, entry);
    }
    return entry;
  }

  private emit(uri: string): void {
    for (const listener of this.listeners) listener(uri);
  }
}

function derive(cube: AttentionCubeResult, selection: OverlaySelection): AttentionResult {
  const map = attentionMapOf(cube, {
    ...(selection.layer === 'mean' ? {} : { layer: selection.layer }),
    ...(selection.head === 'mean' ? {} : { head: selection.head }),
  });
  return { ...map, model: cube.model };
}

/** Sets a key as the newest entry and drops the oldest beyond `limit` (Map keeps insertion order). */
function remember<T>(entries: Map<string, T>, key: string, value: T, limit: number): void {
  entries.delete(key);
  entries.set(key, value);
  for (const oldest of entries.keys()) {
    if (entries.size <= limit) break;
    entries.delete(oldest);
  }
}
