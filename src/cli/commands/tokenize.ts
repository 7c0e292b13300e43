// `longformer-lens tokenize --model <dir> (--text <s> | --file <path>) [--json]`: the tokens of a text with their
// UTF-16 offsets, special tokens included. Needs only the tokenizer files of the folder.
import type { Command } from 'commander';
import { LensError } from '../../core/errors';
import { readDocument } from '../../core/tasks/document';
import { loadTokenizer } from '../../core/tokenizer';
import { MODEL_FLAG, MODEL_HELP, resolveModelArg, resolveTokenizerArg } from '../model-arg';
import { formatTable, POSITION_COLUMNS, positionCells } from '../table';

export function registerTokenize(program: Command): void {
  program
    .command('tokenize')
    .description('Show the tokens of a text and their offsets.')
    .requiredOption(MODEL_FLAG, MODEL_HELP)
    .option('--tokenizer <dir|repo>', 'tokenizer folder or hub repository, for checkpoints published without one (default: --model)')
    .option('--text <text>', 'the text to tokenize')
    .option('--file <path>', 'a UTF-8 file to tokenize')
    .option('--json', 'print {"input_ids": [...], "offsets": [[start, end], ...]}')
    .action(async (flags: { model: string; tokenizer?: string; text?: string; file?: string; json?: boolean }) => {
      if ((flags.text === undefined) === (flags.file === undefined))
        throw new LensError('BAD_ARGUMENT', 'give exactly one of --text and --file.');
      const folder = await resolveModelArg(flags.model);
      const tokenizer = loadTokenizer(await resolveTokenizerArg(flags.tokenizer, folder));
      const text = flags.text ?? (await readDocument(flags.file!));
      const encoding = tokenizer.encode(text);
      const ids = [...encoding.ids];
      if (flags.json === true) {
        const offsets = ids.map((_, i) => [encoding.starts[i]!, encoding.ends[i]!]);
        process.stdout.write(`${JSON.stringify({ input_ids: ids, offsets })}\n`);
        return;
      }
      const rows = ids.map((id, i) => {
        const start = encoding.starts[i]!;
        const end = encoding.ends[i]!;
        const piece = tokenizer.tokenString(id) ?? '?';
        return [String(i), String(id), piece, ...positionCells(text, start, end), JSON.stringify(text.slice(start, end))];
      });
      const columns = [
        { title: '#', align: 'right' as const },
        { title: 'id', align: 'right' as const },
        { title: 'token' },
        ...POSITION_COLUMNS,
        { title: 'text' },
      ];
      process.stdout.write(`${formatTable(columns, rows).join('\n')}\n${ids.length} tokens\n`);
    });
}
