// Typed access to the extension's settings (package.json `contributes.configuration`).
import * as vscode from 'vscode';
import { isProviderChoice, type ProviderChoice } from '../core/runtime/provider-choice';
import { precisionSetting, type PrecisionSetting } from './engine-summary';
import { modelForTask, TASKS, type LensTask } from './tasks';

export interface LensSettings {
  /** Execution provider; `auto` tries the platform's GPU provider first and falls back to the CPU. */
  readonly provider: ProviderChoice;
  /** fp16 runs on GPU providers whose adapter supports it; elsewhere the engine runs fp32 and says why. */
  readonly precision: PrecisionSetting;
  /** onnxruntime intra-op threads; undefined lets onnxruntime choose (one per core). */
  readonly threads: number | undefined;
  /** How many answers "Ask a Question" lists. */
  readonly topK: number;
  /** `--extend-positions`: one window of up to this many tokens (an approximation); undefined keeps the checkpoint's. */
  readonly extendPositions: number | undefined;
  /** The engine keeps open models' weights within this many bytes, unloading the least recently used first. */
  readonly memoryBudgetBytes: number;
  /** Language ids whose editors get the "Longformer Lens" context submenu (besides plaintext and markdown). */
  readonly languages: readonly string[];
}

export function readSettings(): LensSettings {
  const section = vscode.workspace.getConfiguration('longformerLens');
  const provider = section.get<string>('provider', 'auto');
  const threads = section.get<number>('threads', 0);
  const extendPositions = section.get<number>('extendPositions', 0);
  const budgetMiB = section.get<number>('memoryBudgetMB', 2048);
  return {
    provider: isProviderChoice(provider) ? provider : 'auto',
    precision: precisionSetting(section.get<string>('precision', 'fp32')),
    threads: Number.isInteger(threads) && threads > 0 ? threads : undefined,
    topK: Math.max(1, Math.min(20, Math.floor(section.get<number>('topK', 3)))),
    extendPositions: Number.isInteger(extendPositions) && extendPositions > 0 ? extendPositions : undefined,
    memoryBudgetBytes: Math.max(64, Number.isFinite(budgetMiB) ? budgetMiB : 2048) * 1024 * 1024,
    languages: section.get<string[]>('languages', ['plaintext', 'markdown']).filter((id) => typeof id === 'string'),
  };
}

/** The model (a folder or a hub id) the task uses now; empty when none is chosen yet. */
export function configuredModel(task: LensTask): string {
  const section = vscode.workspace.getConfiguration('longformerLens');
  const read = (key: string): string => section.get<string>(key, '').trim();
  return modelForTask(task, {
    classificationModel: read('classificationModel'),
    questionAnsweringModel: read('questionAnsweringModel'),
    baseModel: read('baseModel'),
    modelPath: read('modelPath'),
  });
}

/** Stores the task's model in the user settings. */
export async function storeModel(task: LensTask, model: string): Promise<void> {
  await vscode.workspace.getConfiguration('longformerLens').update(TASKS[task].setting, model, vscode.ConfigurationTarget.Global);
}
