// The last result of each task per document, and when it is stale: made with another model than the task's current
// one, or on an older version of the document. Pure (no `vscode`): documents are keyed by their URI string.
import type { RanOn } from './engine-summary';
import type { LensTask } from './tasks';

/** `RanOn`: the provider and precision that ran, with the reasons when they are not the ones asked for. */
export interface TaskRecord<T = unknown> extends RanOn {
  readonly task: LensTask;
  /** The model setting's value the run used (a folder or a hub id). */
  readonly modelDir: string;
  /** The document version the run read (VS Code's TextDocument.version). */
  readonly version: number;
  /** Set when the numbers are an approximation (extended positions), in words for the user. */
  readonly approximation?: string;
  /** One line for the status bar: "positive 91%". */
  readonly summary: string;
  readonly result: T;
}

export class ResultStore {
  private readonly documents = new Map<string, { records: Map<LensTask, TaskRecord>; last: LensTask | undefined }>();
  private readonly listeners = new Set<(uri: string) => void>();

  /** Calls `listener` with a document's URI whenever its results change (recorded, failed, forgotten). */
  subscribe(listener: (uri: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  record(uri: string, record: TaskRecord): void {
    const entry = this.documents.get(uri) ?? { records: new Map<LensTask, TaskRecord>(), last: undefined };
    entry.records.set(record.task, record);
    entry.last = record.task;
    this.documents.set(uri, entry);
    this.changed(uri);
  }

  /** A failed run leaves no result behind: the old one would pass for the answer to the new request. */
  fail(uri: string, task: LensTask): void {
    const entry = this.documents.get(uri);
    if (entry === undefined) return;
    entry.records.delete(task);
    if (entry.last === task) entry.last = undefined;
    if (entry.records.size === 0) this.documents.delete(uri);
    this.changed(uri);
  }

  get(uri: string, task: LensTask): TaskRecord | undefined {
    return this.documents.get(uri)?.records.get(task);
  }

  /** The result of the document's most recent successful task, if the last run did not fail. */
  latest(uri: string): TaskRecord | undefined {
    const entry = this.documents.get(uri);
    return entry?.last === undefined ? undefined : entry.records.get(entry.last);
  }

  forget(uri: string): void {
    if (this.documents.delete(uri)) this.changed(uri);
  }

  private changed(uri: string): void {
    for (const listener of this.listeners) listener(uri);
  }
}

/** Why a result no longer describes the document, in a few words; undefined when it is current. */
export function staleReason(record: TaskRecord, current: { readonly modelDir: string; readonly version: number }): string | undefined {
  if (record.modelDir !== current.modelDir) return `made with another model (${record.modelDir})`;
  if (record.version !== current.version) return 'the document has changed since';
  return undefined;
}

/**
 * How many document tokens the run made global through the user's marks (classify and answer count them, an
 * attention map lists them); undefined for a result that does not say.
 */
export function markedGlobalTokens(result: unknown): number | undefined {
  if (typeof result !== 'object' || result === null || !('globalTokens' in result)) return undefined;
  const value = result.globalTokens;
  if (typeof value === 'number') return value;
  if (value instanceof Int32Array) return value.length;
  return undefined;
}

/** The line a result shows for the marks it used: "global attention on 12 tokens from the marked spans". */
export function markedGlobalNote(result: unknown): string | undefined {
  const tokens = markedGlobalTokens(result);
  if (tokens === undefined || tokens === 0) return undefined;
  return `global attention on ${tokens.toLocaleString('en-US')} token${tokens === 1 ? '' : 's'} from the marked spans`;
}
