// `longformer-lens ask --model <dir> <file> --question <q> [--top-k N] [--max-answer-length N] [--json]`
import type { Command } from 'commander';
import { LensError } from '../../core/errors';
import { answer } from '../../core/tasks/answer';
import { lineColumn, snippet } from '../../core/tasks/document';
import { requireHead } from '../../core/tasks/pipeline';
import { type DocumentFlags, documentFlags, parseInteger, prepareRun, printWarnings, round, withEngine } from './document-task';

interface AskFlags extends DocumentFlags {
  readonly question: string;
  readonly topK: string;
  readonly maxAnswerLength: string;
}

export function registerAsk(program: Command): void {
  documentFlags(
    program
      .command('ask')
      .description('Answer a question from a document with a question-answering model.')
      .argument('<file>', 'UTF-8 document'),
  )
    .requiredOption('--question <text>', 'the question')
    .option('--top-k <n>', 'how many answers to list', '1')
    .option('--max-answer-length <tokens>', 'longest answer in tokens', '15')
    .action(async (file: string, flags: AskFlags) => {
      const run = await prepareRun(file, flags);
      requireHead(run.config, ['question-answering'], 'Question answering');
      if (flags.question.trim().length === 0) throw new LensError('BAD_ARGUMENT', 'the question is empty.');
      const topK = parseInteger(flags.topK, '--top-k', 1)!;
      const maxAnswerLength = parseInteger(flags.maxAnswerLength, '--max-answer-length', 1)!;
      const result = await withEngine(run, flags, (engine) =>
        answer(engine, run.tokenizer, flags.question, run.text, { ...run.options, topK, maxAnswerLength }),
      );
      if (flags.json === true) {
        const answers = result.answers.map((a) => ({ text: a.text, start: a.start, end: a.end, score: round(a.score), chunk: a.chunk }));
        process.stdout.write(
          `${JSON.stringify({ answers, no_answer: result.noAnswer, provider: result.provider, precision: result.precision }, null, 2)}\n`,
        );
        return;
      }
      printWarnings(result.warnings);
      const lines: string[] = [];
      if (result.noAnswer)
        lines.push(
          `No answer: the null score ${result.nullScore.toPrecision(3)} beats every span.${result.answers.length > 0 ? ' Best spans:' : ''}`,
        );
      result.answers.forEach((a, i) => {
        const { line, column } = lineColumn(run.text, a.start);
        lines.push(`${i + 1}. ${JSON.stringify(a.text)}  score ${a.score.toPrecision(3)}  at ${file}:${line}:${column}`);
        lines.push(`   ${snippet(run.text, a.start, a.end)}`);
      });
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
