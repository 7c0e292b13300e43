// What the document verbs (classify, ask, attend) share: flags for global spans and chunking, the order of checks
// (cheap input errors before the model is opened), opening the engine, and formatting helpers.
import type { Command } from 'commander';
import type { HeadKind, LongformerConfig } from '../../core/checkpoint/config';
import { withExtendedPositions } from '../../core/checkpoint/extend-positions';
import { readCheckpointConfig } from '../../core/checkpoint/load';
import { LensError } from '../../core/errors';
import type { RunInfo } from '../../core/runtime/engine';
import { openEngine, type OpenedEngine } from '../../core/runtime/open';
import { EXTEND_POSITIONS_HELP, engineFlags, extendPositionsFlag } from '../engine-flags';
import { type CharSpan, findPhrase, validateSpans } from '../../core/tasks/chunking';
import { readDocument } from '../../core/tasks/document';
import { checkMaxLength, type DocumentTaskOptions } from '../../core/tasks/pipeline';
import { loadTokenizer } from '../../core/tokenizer';
import type { RobertaTokenizer } from '../../core/tokenizer/tokenizer';
import { MODEL_FLAG, MODEL_HELP, resolveModelArg, resolveTokenizerArg, TOKENIZER_FLAG, TOKENIZER_HELP } from '../model-arg';
import { chunkProgressLine } from '../time-left';
import { PROVIDER_CHOICES } from '../../core/runtime/provider-choice';

export interface DocumentFlags {
  readonly model: string;
  readonly tokenizer?: string;
  readonly extendPositions?: string;
  readonly global: string[];
  readonly globalText: string[];
  readonly json?: boolean;
  readonly provider?: string;
  readonly threads?: string;
  readonly precision?: string;
  readonly maxLength?: string;
  readonly overlap?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Adds the flags every document verb takes. */
export function documentFlags(command: Command): Command {
  return command
    .requiredOption(MODEL_FLAG, MODEL_HELP)
    .option(TOKENIZER_FLAG, TOKENIZER_HELP)
    .option('--global <start:end>', 'give the tokens of this UTF-16 range global attention (repeatable)', collect, [])
    .option('--global-text <phrase>', 'give every occurrence of this phrase global attention (repeatable)', collect, [])
    .option('--max-length <tokens>', 'tokens per model input (default: the model limit, max_position_embeddings - pad_token_id - 1)')
    .option('--overlap <tokens>', 'document tokens shared by consecutive chunks (default: an eighth of a chunk)')
    .option('--provider <name>', `execution provider: ${PROVIDER_CHOICES.join(', ')}`, 'auto')
    .option('--threads <n>', 'CPU threads for inference')
    .option('--precision <p>', 'numeric precision: fp32 (default), fp16 (GPU providers with shader-f16), int8 (CPU)')
    .option('--extend-positions <tokens>', EXTEND_POSITIONS_HELP)
    .option('--json', 'print the result as JSON');
}

export function parseInteger(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new LensError('BAD_ARGUMENT', `${flag} ${value}: expected an integer >= ${min}.`);
  return Number(value);
}

export function parseSpans(globals: readonly string[], phrases: readonly string[], text: string): CharSpan[] {
  const spans = globals.map((value) => {
    const match = /^(\d+):(\d+)$/.exec(value);
    if (match === null) throw new LensError('BAD_ARGUMENT', `--global ${value}: expected START:END (UTF-16 offsets, END exclusive).`);
    return { start: Number(match[1]), end: Number(match[2]) };
  });
  validateSpans(spans, text.length);
  return [...spans, ...phrases.flatMap((phrase) => findPhrase(text, phrase))];
}

export interface PreparedRun {
  readonly folder: string;
  /** The head the verb's task needs: the checkpoint is read with it when config.json names no architectures. */
  readonly head: HeadKind;
  readonly text: string;
  readonly tokenizer: RobertaTokenizer;
  readonly config: LongformerConfig;
  readonly options: DocumentTaskOptions;
}

/**
 * Reads and checks everything that does not need the model: folder, document, tokenizer, config, flags. `head` is
 * what the verb's task needs, as the task's Auto class would build it for a config without architectures.
 */
export async function prepareRun(file: string, flags: DocumentFlags, head: HeadKind): Promise<PreparedRun> {
  const folder = await resolveModelArg(flags.model);
  const text = await readDocument(file);
  const tokenizer = loadTokenizer(await resolveTokenizerArg(flags.tokenizer, folder));
  const config = withExtendedPositions(await readCheckpointConfig(folder, head), extendPositionsFlag(flags.extendPositions));
  const spans = parseSpans(flags.global, flags.globalText, text);
  const maxLength = parseInteger(flags.maxLength, '--max-length', 3);
  checkMaxLength(config, maxLength);
  const overlap = parseInteger(flags.overlap, '--overlap', 0);
  const options: DocumentTaskOptions = {
    spans,
    ...(maxLength === undefined ? {} : { maxLength }),
    ...(overlap === undefined ? {} : { overlap }),
    ...(process.stderr.isTTY ? { onProgress: chunkProgress(Date.now()) } : {}),
  };
  return { folder, head, text, tokenizer, config, options };
}

/** Redraws one stderr line per chunk, with the time left once a chunk has finished. */
function chunkProgress(startedAt: number): (progress: { done: number; total: number }) => void {
  return ({ done, total }) => {
    if (total <= 1) return;
    process.stderr.write(done === total ? '\r\x1b[K' : `\r\x1b[K${chunkProgressLine(done, total, Date.now() - startedAt)}`);
  };
}

export async function withEngine<T>(run: PreparedRun, flags: DocumentFlags, use: (engine: OpenedEngine) => Promise<T>): Promise<T> {
  const engine = await openEngine(run.folder, { ...engineFlags(flags), head: run.head });
  try {
    if (flags.json !== true) {
      for (const note of [engine.providerNote, engine.precisionNote])
        if (note !== undefined) process.stderr.write(`longformer-lens: ${note}\n`);
    }
    // Said even with --json: the numbers come from positions the checkpoint never learned.
    if (engine.approximation !== undefined) process.stderr.write(`longformer-lens: approximation: ${engine.approximation}\n`);
    return await use(engine);
  } finally {
    await engine.dispose();
  }
}

/**
 * The JSON fields saying why the provider or precision differs from the one asked for, and that the numbers are an
 * approximation (extended positions), when they do and are: every document verb's `--json` and batch line has them.
 */
export function runNotes(info: RunInfo): { provider_note?: string; precision_note?: string; approximation?: string } {
  return {
    ...(info.providerNote === undefined ? {} : { provider_note: info.providerNote }),
    ...(info.precisionNote === undefined ? {} : { precision_note: info.precisionNote }),
    ...(info.approximation === undefined ? {} : { approximation: info.approximation }),
  };
}

/** Six significant digits: stable JSON without float32 noise. */
export function round(value: number): number {
  return Number(value.toPrecision(6));
}

export function bar(fraction: number, width = 20): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

export function printWarnings(warnings: readonly string[]): void {
  for (const warning of warnings) process.stderr.write(`longformer-lens: warning: ${warning}\n`);
}
