// `longformer-lens tokenize --model <dir> (--text <s> | --file <path>) [--json]`: the tokens of a text with their
// UTF-16 offsets, special tokens included. Needs only the tokenizer files of the folder.
import type { Command } from 'commander';
import { LensError } from '../../core/errors';
import { readDocument } from '../../core/tasks/document';
import { loadTokenizer } from '../../core/tokenizer';
import { resolveModelArg, resolveTokenizerArg } from '../model-arg';

export function registerTokenize(program: Command): void {
  program
    .command('tokenize')
    .description('Show the tokens of a text and their offsets.')
    .requiredOption('--model <dir>', 'checkpoint folder with tokenizer files')
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
      const lines = ids.map((id, i) => {
        const start = encoding.starts[i]!;
        const end = encoding.ends[i]!;
        const piece = tokenizer.tokenString(id) ?? '?';
        return `${String(i).padStart(5)}  ${String(id).padStart(6)}  ${piece.padEnd(16)} ${start}:${end}  ${JSON.stringify(text.slice(start, end))}`;
      });
      process.stdout.write(`${lines.join('\n')}\n${ids.length} tokens\n`);
    });
}
