// Typed access to the extension's settings (package.json `contributes.configuration`).
import * as vscode from 'vscode';
import { isProviderChoice, type ProviderChoice } from '../core/runtime/provider-choice';

export interface LensSettings {
  /** Folder of a HuggingFace Longformer checkpoint; empty when none is chosen yet. */
  readonly modelPath: string;
  /** Execution provider; `auto` tries the platform's GPU provider first and falls back to the CPU. */
  readonly provider: ProviderChoice;
  /** onnxruntime intra-op threads; undefined lets onnxruntime choose (one per core). */
  readonly threads: number | undefined;
  /** How many answers "Ask a Question" lists. */
  readonly topK: number;
  /** `--extend-positions`: one window of up to this many tokens (an approximation); undefined keeps the checkpoint's. */
  readonly extendPositions: number | undefined;
}

export function readSettings(): LensSettings {
  const section = vscode.workspace.getConfiguration('longformerLens');
  const provider = section.get<string>('provider', 'auto');
  const threads = section.get<number>('threads', 0);
  const extendPositions = section.get<number>('extendPositions', 0);
  return {
    modelPath: section.get<string>('modelPath', '').trim(),
    provider: isProviderChoice(provider) ? provider : 'auto',
    threads: Number.isInteger(threads) && threads > 0 ? threads : undefined,
    topK: Math.max(1, Math.min(20, Math.floor(section.get<number>('topK', 3)))),
    extendPositions: Number.isInteger(extendPositions) && extendPositions > 0 ? extendPositions : undefined,
  };
}
