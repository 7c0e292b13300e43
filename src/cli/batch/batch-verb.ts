// The batch form of the document verbs: `classify|ask|embed --model M PATHS... [--glob P] [--jsonl OUT] [--workers N]`.
// A verb runs in batch mode when it gets more than one path, a folder, a glob, or one of the batch flags; checks
// that need no document (model folder, head, tokenizer, flags) run once, before any worker starts.
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { isDynamicPattern } from 'fast-glob';
import type { HeadKind, LongformerConfig } from '../../core/checkpoint/config';
import { extendedPositionsNote, withExtendedPositions } from '../../core/checkpoint/extend-positions';
import { readCheckpointConfig } from '../../core/checkpoint/load';
import { LensError } from '../../core/errors';
import { checkMaxLength, requireHead } from '../../core/tasks/pipeline';
import { loadTokenizer } from '../../core/tokenizer';
import type { RobertaTokenizer } from '../../core/tokenizer/tokenizer';
import type { DocumentFlags } from '../commands/document-task';
import { parseInteger } from '../commands/document-task';
import { engineFlags } from '../engine-flags';
import { resolveModelArg, resolveTokenizerArg } from '../model-arg';
import { type BatchTask, runBatch } from './run-batch';

export interface BatchFlags {
  readonly glob?: string;
  readonly jsonl?: string;
  readonly workers?: string;
}

/** Adds the batch flags to a document verb. */
export function batchFlags(command: Command): Command {
  return command
    .option('--glob <pattern>', 'in folders, read only files matching this glob (default: every file not excluded by .gitignore)')
    .option('--jsonl <file>', 'batch mode: append one JSON line per document here; rerunning skips documents already in it')
    .option('--workers <n>', 'batch mode: engine processes, each with cores / N threads (default: one per core)');
}

/** Whether the paths and flags ask for a batch run rather than the single-file verb. */
export function isBatchRun(paths: readonly string[], flags: BatchFlags): boolean {
  if (paths.length !== 1 || flags.glob !== undefined || flags.jsonl !== undefined || flags.workers !== undefined) return true;
  try {
    return statSync(paths[0]!).isDirectory();
  } catch {
    // A quoted glob the shell did not expand.
    return isDynamicPattern(paths[0]!);
  }
}

export interface BatchVerb {
  /** What the model needs to be, as the single-file verb checks it; a config without architectures is read with the first. */
  readonly heads: readonly HeadKind[];
  readonly taskName: string;
  /** The verb's own checks of the model and tokenizer (a zero-shot prompt, a trained head's base model), run once. */
  readonly checkModel?: (config: LongformerConfig, tokenizer: RobertaTokenizer) => void | Promise<void>;
  readonly task: BatchTask;
}

export async function runBatchVerb(paths: readonly string[], flags: DocumentFlags & BatchFlags, verb: BatchVerb): Promise<void> {
  if (flags.global.length > 0) {
    throw new LensError('BAD_ARGUMENT', '--global START:END names offsets in one document; in a batch run use --global-text PHRASE.');
  }
  const { provider, threads, precision, extendPositions } = engineFlags(flags);
  const workers = parseInteger(flags.workers, '--workers', 1);
  const folder = await resolveModelArg(flags.model);
  // The worker reads the checkpoint with its task's head as well (worker/handlers.ts).
  const checkpointConfig = await readCheckpointConfig(folder, verb.heads[0]);
  const config = withExtendedPositions(checkpointConfig, extendPositions);
  requireHead(config, verb.heads, verb.taskName);
  const tokenizerDir = await resolveTokenizerArg(flags.tokenizer, folder);
  const tokenizer = loadTokenizer(tokenizerDir);
  await verb.checkModel?.(config, tokenizer);
  const maxLength = parseInteger(flags.maxLength, '--max-length', 3);
  checkMaxLength(config, maxLength);
  // Said once here; every line carries it too ("approximation").
  if (extendPositions !== undefined)
    process.stderr.write(`longformer-lens: approximation: ${extendedPositionsNote(checkpointConfig, extendPositions)}\n`);
  await runBatch(verb.task, {
    inputs: paths,
    ...(flags.glob === undefined ? {} : { glob: flags.glob }),
    ...(flags.jsonl === undefined ? {} : { jsonl: flags.jsonl }),
    ...(workers === undefined ? {} : { workers }),
    ...(threads === undefined ? {} : { threads }),
    modelDir: folder,
    provider: provider ?? 'auto',
    ...(precision === undefined ? {} : { precision }),
    ...(extendPositions === undefined ? {} : { extendPositions }),
    ...(tokenizerDir === folder ? {} : { tokenizerDir }),
    tokenizer,
    phrases: flags.globalText,
  });
}

/** The chunking flags as worker request fields. */
export function chunkingParams(flags: DocumentFlags): { maxLength?: number; overlap?: number } {
  const maxLength = parseInteger(flags.maxLength, '--max-length', 3);
  const overlap = parseInteger(flags.overlap, '--overlap', 0);
  return { ...(maxLength === undefined ? {} : { maxLength }), ...(overlap === undefined ? {} : { overlap }) };
}
