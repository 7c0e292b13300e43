// `longformer-lens attend --model <dir> <file> [--layer L] [--head H] [--mode global|received|token] [--at OFFSET] [--json]`
import type { Command } from 'commander';
import { LensError } from '../../core/errors';
import { attention, type AttentionMode } from '../../core/tasks/attention';
import {
  bar,
  type DocumentFlags,
  documentFlags,
  parseInteger,
  prepareRun,
  printWarnings,
  round,
  runNotes,
  withEngine,
} from './document-task';
import { formatTable, POSITION_COLUMNS, positionCells } from '../table';

interface AttendFlags extends DocumentFlags {
  readonly layer?: string;
  readonly head?: string;
  readonly mode: string;
  readonly at?: string;
  readonly top: string;
}

const MODES: readonly AttentionMode[] = ['global', 'received', 'token'];

export function registerAttend(program: Command): void {
  documentFlags(program.command('attend').description('Show where the model attends in a document.').argument('<file>', 'UTF-8 document'))
    .option('--layer <n>', 'one layer (default: the mean over layers)')
    .option('--head <n>', 'one head (default: the mean over heads)')
    .option(
      '--mode <mode>',
      "global: attention from the global tokens; received: attention each token receives; token: one token's attention",
      'global',
    )
    .option('--at <offset>', 'UTF-16 offset of the token for --mode token')
    .option('--top <n>', 'tokens to list in the human output', '15')
    .action(async (file: string, flags: AttendFlags) => {
      const mode = flags.mode as AttentionMode;
      if (!MODES.includes(mode)) throw new LensError('BAD_ARGUMENT', `--mode ${flags.mode}: expected global, received or token.`);
      const run = await prepareRun(file, flags, 'base');
      const layer = parseInteger(flags.layer, '--layer', 0);
      const head = parseInteger(flags.head, '--head', 0);
      const at = parseInteger(flags.at, '--at', 0);
      const top = parseInteger(flags.top, '--top', 1)!;
      // Checked here as well as in the task, so that a wrong index is reported before the model is opened.
      if (layer !== undefined && layer >= run.config.numHiddenLayers) {
        throw new LensError('BAD_ARGUMENT', `layer ${layer} does not exist; the model has layers 0 to ${run.config.numHiddenLayers - 1}.`);
      }
      if (head !== undefined && head >= run.config.numAttentionHeads) {
        throw new LensError('BAD_ARGUMENT', `head ${head} does not exist; the model has heads 0 to ${run.config.numAttentionHeads - 1}.`);
      }
      if (mode === 'token' && (at === undefined || at >= run.text.length))
        throw new LensError('BAD_ARGUMENT', `--mode token needs --at OFFSET inside the document (0 to ${run.text.length - 1}).`);
      const result = await withEngine(run, flags, (engine) =>
        attention(engine, run.tokenizer, run.text, {
          ...run.options,
          mode,
          ...(layer === undefined ? {} : { layer }),
          ...(head === undefined ? {} : { head }),
          ...(mode === 'token' && at !== undefined ? { at } : {}),
        }),
      );
      if (flags.json === true) {
        const tokens = [...result.starts].map((start, i) => ({ start, end: result.ends[i]! }));
        const json = {
          tokens,
          global_positions: [...result.globalTokens],
          scores: [...result.scores].map(round),
          layer: result.layer,
          head: result.head,
          mode: result.mode,
          ...(result.token === undefined ? {} : { token: result.token }),
          provider: result.provider,
          precision: result.precision,
          ...runNotes(result),
        };
        process.stdout.write(`${JSON.stringify(json)}\n`);
        return;
      }
      printWarnings(result.warnings);
      const order = [...result.scores.keys()].sort((a, b) => result.scores[b]! - result.scores[a]!).slice(0, top);
      const max = result.scores[order[0] ?? 0] ?? 0;
      const lines = [
        `${mode} attention, layer ${result.layer}, head ${result.head}; top ${order.length} of ${result.scores.length} tokens:`,
      ];
      if (result.token !== undefined) {
        // --at names a character; say which token holds it, since the map is that token's attention.
        const start = result.starts[result.token]!;
        const end = result.ends[result.token]!;
        const [where, offsets] = positionCells(run.text, start, end);
        lines.push(`from token ${result.token} ${JSON.stringify(run.text.slice(start, end))} at ${where} (UTF-16 ${offsets})`);
      }
      const columns = [...POSITION_COLUMNS, { title: 'token' }, { title: 'score', align: 'right' as const }, { title: '' }];
      const rows = order.map((i) => {
        const start = result.starts[i]!;
        const end = result.ends[i]!;
        const score = result.scores[i]!;
        return [
          ...positionCells(run.text, start, end),
          JSON.stringify(run.text.slice(start, end)),
          score.toFixed(4),
          bar(max > 0 ? score / max : 0, 12),
        ];
      });
      lines.push(...formatTable(columns, rows));
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
