// `longformer-lens ask --model <dir> <file> --question <q> [--top-k N] [--max-answer-length N] [--json]`, or over many
// files: `ask --model <dir> PATHS... --question <q> [--glob P] [--jsonl OUT] [--workers N]` (src/cli/batch).
import type { Command } from 'commander';
import { LensError } from '../../core/errors';
import { answer } from '../../core/tasks/answer';
import { snippet } from '../../core/tasks/document';
import { formatTable, POSITION_COLUMNS, positionCells } from '../table';
import { requireHead } from '../../core/tasks/pipeline';
import { type BatchFlags, batchFlags, chunkingParams, isBatchRun, runBatchVerb } from '../batch/batch-verb';
import { answerJson } from '../result-json';
import { type DocumentFlags, documentFlags, parseInteger, prepareRun, printWarnings, withEngine } from './document-task';

interface AskFlags extends DocumentFlags, BatchFlags {
  readonly question: string;
  readonly topK: string;
  readonly maxAnswerLength: string;
}

export function registerAsk(program: Command): void {
  batchFlags(
    documentFlags(
      program
        .command('ask')
        .description('Answer a question from a document, or from each document in files, folders and globs (batch mode).')
        .argument('<paths...>', 'UTF-8 document; several files, folders or globs run in batch mode'),
    ),
  )
    .requiredOption('--question <text>', 'the question')
    .option('--top-k <n>', 'how many answers to list', '1')
    .option('--max-answer-length <tokens>', 'longest answer in tokens', '15')
    .action(async (paths: string[], flags: AskFlags) => {
      if (flags.question.trim().length === 0) throw new LensError('BAD_ARGUMENT', 'the question is empty.');
      const topK = parseInteger(flags.topK, '--top-k', 1)!;
      const maxAnswerLength = parseInteger(flags.maxAnswerLength, '--max-answer-length', 1)!;
      if (isBatchRun(paths, flags)) {
        const chunking = chunkingParams(flags);
        const question = flags.question;
        await runBatchVerb(paths, flags, {
          heads: ['question-answering'],
          taskName: 'Question answering',
          task: {
            run: async (worker, { choice, text, spans }, signal) =>
              answerJson(
                await worker.request('answer', { ...choice, ...chunking, text, spans, question, topK, maxAnswerLength }, { signal }),
              ),
          },
        });
        return;
      }
      const file = paths[0]!;
      const run = await prepareRun(file, flags, 'question-answering');
      requireHead(run.config, ['question-answering'], 'Question answering');
      const result = await withEngine(run, flags, (engine) =>
        answer(engine, run.tokenizer, flags.question, run.text, { ...run.options, topK, maxAnswerLength }),
      );
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify(answerJson(result), null, 2)}\n`);
        return;
      }
      printWarnings(result.warnings);
      const lines: string[] = [];
      if (result.noAnswer)
        lines.push(
          `No answer: the null score ${result.nullScore.toPrecision(3)} beats every span.${result.answers.length > 0 ? ' Best spans:' : ''}`,
        );
      if (result.answers.length > 0) {
        const columns = [{ title: '#', align: 'right' as const }, { title: 'score' }, ...POSITION_COLUMNS, { title: 'answer' }];
        const rows = result.answers.map((a, i) => [
          String(i + 1),
          a.score.toPrecision(3),
          ...positionCells(run.text, a.start, a.end),
          JSON.stringify(a.text),
        ]);
        const [header, ...table] = formatTable(columns, rows);
        lines.push(`${file}:`, header!);
        // Each answer's line, then its context, indented under the answer column.
        const indent = ' '.repeat(header!.indexOf('answer'));
        result.answers.forEach((a, i) => lines.push(table[i]!, `${indent}${snippet(run.text, a.start, a.end)}`));
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
