// The JSON shapes of the ask and embed results (README "JSON output"), shared by the single-file `--json` output and
// the batch mode's lines. classify's lives in commands/classify.ts beside its zero-shot fields.
import type { AnswerResult } from '../core/tasks/answer';
import type { Embedding } from '../core/tasks/embed';
import { round, runNotes } from './commands/document-task';

export function answerJson(result: AnswerResult): object {
  const answers = result.answers.map((a) => ({ text: a.text, start: a.start, end: a.end, score: round(a.score), chunk: a.chunk }));
  return { answers, no_answer: result.noAnswer, provider: result.provider, precision: result.precision, ...runNotes(result) };
}

export function embeddingJson(result: Embedding): object {
  return {
    cls: [...result.cls].map(round),
    mean: [...result.mean].map(round),
    chunks: result.chunks,
    provider: result.provider,
    precision: result.precision,
    ...runNotes(result),
  };
}
