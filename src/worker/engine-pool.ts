// Keeps the engine and tokenizer of the model last used, so consecutive requests skip loading and graph building.
// One model at a time: a full-size Longformer holds about 600 MB of weights per open session.
import { throwIfCancelled } from '../core/errors';
import { resolveModel } from '../core/hub';
import { openEngine, type OpenedEngine } from '../core/runtime/open';
import { loadTokenizer } from '../core/tokenizer';
import type { RobertaTokenizer } from '../core/tokenizer/tokenizer';
import type { ModelChoice } from './protocol';

export interface LoadedModel {
  readonly engine: OpenedEngine;
  readonly tokenizer: RobertaTokenizer;
}

export class EnginePool {
  private current: { key: string; model: Promise<LoadedModel> } | undefined;

  async get(choice: ModelChoice, signal: AbortSignal): Promise<LoadedModel> {
    const key = JSON.stringify([
      choice.modelDir,
      choice.provider,
      choice.threads ?? null,
      choice.precision ?? 'fp32',
      choice.extendPositions ?? null,
    ]);
    if (this.current?.key !== key) {
      const previous = this.current;
      this.current = { key, model: this.open(choice, signal) };
      if (previous !== undefined)
        void previous.model.then(
          (model) => model.engine.dispose(),
          () => undefined,
        );
    }
    const pending = this.current;
    try {
      return await pending.model;
    } catch (error) {
      // A failed or cancelled load is not kept: the next request tries again.
      if (this.current === pending) this.current = undefined;
      throw error;
    }
  }

  private async open(choice: ModelChoice, signal: AbortSignal): Promise<LoadedModel> {
    // The setting may name a hub repository: it is resolved through the huggingface_hub cache (fetched if missing).
    const { folder } = await resolveModel(choice.modelDir, { signal });
    // The tokenizer first: it is cheap, and a folder without one should fail before the graph is built.
    const tokenizer = loadTokenizer(folder);
    throwIfCancelled(signal);
    const engine = await openEngine(folder, {
      provider: choice.provider,
      signal,
      ...(choice.threads === undefined ? {} : { threads: choice.threads }),
      ...(choice.precision === undefined ? {} : { precision: choice.precision }),
      ...(choice.extendPositions === undefined ? {} : { extendPositions: choice.extendPositions }),
    });
    return { engine, tokenizer };
  }
}
