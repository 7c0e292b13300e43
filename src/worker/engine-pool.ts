// Keeps the engines and tokenizers of recently used models open, so consecutive requests skip loading and graph
// building, within a memory budget: when the open models' weights exceed it, the least recently used model that no
// request is using is closed first. A full-size Longformer holds about 600 MB of weights per open session.
import { stat } from 'node:fs/promises';
import type { HeadKind } from '../core/checkpoint/config';
import { throwIfCancelled } from '../core/errors';
import { findWeightFiles } from '../core/checkpoint/load';
import { resolveModel } from '../core/hub';
import { openEngine, type OpenedEngine } from '../core/runtime/open';
import { loadTokenizer } from '../core/tokenizer';
import type { RobertaTokenizer } from '../core/tokenizer/tokenizer';
import type { ModelChoice } from './protocol';

export interface LoadedModel {
  readonly engine: OpenedEngine;
  readonly tokenizer: RobertaTokenizer;
  /** The weight files' size on disk: the estimate of what the open model holds in memory. */
  readonly bytes: number;
}

/** Used when a request names no budget: room for two base-size models. */
export const DEFAULT_MEMORY_BUDGET_BYTES = 2048 * 1024 * 1024;

interface Entry {
  readonly key: string;
  readonly label: string;
  readonly model: Promise<LoadedModel>;
  lastUsed: number;
  users: number;
}

export class EnginePool {
  private readonly entries = new Map<string, Entry>();
  private clock = 0;

  /** `log` hears which model was unloaded and why. */
  constructor(private readonly log: (line: string) => void = () => undefined) {}

  /**
   * Runs `work` with the model open; the model is not unloaded while `work` runs. `head`: what the task needs, the
   * head a checkpoint whose config.json names no architectures is read with (checkpoint/config.ts AUTO_CLASSES).
   */
  async use<T>(choice: ModelChoice, head: HeadKind, signal: AbortSignal, work: (model: LoadedModel) => Promise<T>): Promise<T> {
    const key = JSON.stringify([
      choice.modelDir,
      head,
      choice.provider,
      choice.threads ?? null,
      choice.precision ?? 'fp32',
      choice.extendPositions ?? null,
      choice.tokenizerDir ?? null,
    ]);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { key, label: choice.modelDir, model: this.open(choice, head, signal), lastUsed: 0, users: 0 };
      this.entries.set(key, entry);
    }
    entry.lastUsed = ++this.clock;
    entry.users += 1;
    try {
      let model: LoadedModel;
      try {
        model = await entry.model;
      } catch (error) {
        // A failed or cancelled load is not kept: the next request tries again.
        if (this.entries.get(key) === entry) this.entries.delete(key);
        throw error;
      }
      await this.evict(choice.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES);
      return await work(model);
    } finally {
      entry.users -= 1;
    }
  }

  /** The models open now (their folders or hub ids), least recently used first. */
  openModels(): string[] {
    return [...this.entries.values()].sort((a, b) => a.lastUsed - b.lastUsed).map((entry) => entry.label);
  }

  /** Closes least recently used models that no request uses until the open ones fit the budget. */
  private async evict(budgetBytes: number): Promise<void> {
    const sizes = new Map<Entry, number>();
    for (const entry of this.entries.values()) {
      const model = await entry.model.catch(() => undefined);
      if (model !== undefined) sizes.set(entry, model.bytes);
    }
    let total = [...sizes.values()].reduce((sum, bytes) => sum + bytes, 0);
    const candidates = [...sizes.keys()].filter((entry) => entry.users === 0).sort((a, b) => a.lastUsed - b.lastUsed);
    for (const entry of candidates) {
      if (total <= budgetBytes) break;
      this.entries.delete(entry.key);
      total -= sizes.get(entry) ?? 0;
      this.log(`unloaded ${entry.label} (least recently used; open models exceeded the ${mebibytes(budgetBytes)} memory budget)`);
      const model = await entry.model;
      await model.engine.dispose();
    }
  }

  private async open(choice: ModelChoice, head: HeadKind, signal: AbortSignal): Promise<LoadedModel> {
    // The setting may name a hub repository: it is resolved through the huggingface_hub cache (fetched if missing).
    const { folder } = await resolveModel(choice.modelDir, { signal });
    // The tokenizer first: it is cheap, and a folder without one should fail before the graph is built.
    const tokenizer = loadTokenizer(choice.tokenizerDir ?? folder);
    throwIfCancelled(signal);
    const engine = await openEngine(folder, {
      provider: choice.provider,
      head,
      signal,
      ...(choice.threads === undefined ? {} : { threads: choice.threads }),
      ...(choice.precision === undefined ? {} : { precision: choice.precision }),
      ...(choice.extendPositions === undefined ? {} : { extendPositions: choice.extendPositions }),
    });
    return { engine, tokenizer, bytes: await weightBytes(folder) };
  }
}

async function weightBytes(folder: string): Promise<number> {
  const { files } = await findWeightFiles(folder);
  const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
  return sizes.reduce((sum, size) => sum + size, 0);
}

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}
