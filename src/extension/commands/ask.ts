// "Longformer Lens: Ask a Question": checks the question-answering model fits, asks for a question, finds the best
// answers in the document, highlights the best one and lets the user step through the others.
import * as vscode from 'vscode';
import type { ProviderChoice } from '../../core/runtime/provider-choice';
import type { Answer, AnswerResult } from '../../core/tasks/answer';
import { readSettings } from '../config';
import type { LensContext } from '../context';
import { scorePercent } from '../decorations/answer-highlight';
import { documentRequest } from '../document-request';
import { reportError, sentenceOf } from '../errors';
import { markedGlobalNote } from '../result-store';
import { approximationNote, runTask } from '../run-task';
import { headProblem } from '../tasks';

export async function askQuestion(lens: LensContext, preset?: string, provider?: ProviderChoice): Promise<AnswerResult | undefined> {
  const request = await documentRequest(lens, 'question-answering', provider);
  if (request === undefined) return undefined;
  const { editor, params } = request;
  // Before the question is typed: a model that cannot answer should not cost the user a question.
  if (!(await modelCanAnswer(lens, params.modelDir))) return undefined;
  const question =
    preset ??
    (await vscode.window.showInputBox({
      title: 'Longformer Lens: Ask a Question',
      prompt: 'Ask about the active document; the answer is a span of its text.',
      value: lens.lastQuestion,
      validateInput: (value) => (value.trim() === '' ? 'Type a question.' : undefined),
    }));
  if (question === undefined) return undefined;
  lens.lastQuestion = question;
  const topK = readSettings().topK;
  // The text as it is now: the document may have changed while the question was typed.
  const asked = { ...params, text: editor.document.getText(), spans: lens.globalSpans.get(editor.document), question, topK };
  const result = await runTask(
    lens,
    {
      task: 'question-answering',
      title: 'Answering',
      document: editor.document,
      model: params,
      retry: (onCpu) => void askQuestion(lens, question, onCpu ? 'cpu' : provider),
    },
    ({ signal, onProgress, onEngine }) => lens.worker.request('answer', asked, { signal, onProgress, onEngine }),
    (answered) =>
      answered.noAnswer || answered.answers[0] === undefined
        ? 'no answer'
        : `"${shorten(answered.answers[0].text)}" ${scorePercent(answered.answers[0].score)}`,
  );
  if (result === undefined) return undefined;
  result.warnings.forEach((warning) => lens.log.warn(warning));
  const best = result.answers[0];
  if (result.noAnswer || best === undefined) {
    lens.answerHighlight.clear();
    void vscode.window.showInformationMessage(
      `Longformer Lens: the model finds no answer to "${question}" in this document.${approximationNote(result)}`,
    );
    return result;
  }
  lens.answerHighlight.show(editor, best);
  lens.log.info(
    `answered "${question}" on ${result.provider}: ${result.answers.map((a) => `"${a.text}" ${scorePercent(a.score)}`).join('; ')}` +
      ` (the question's tokens are global${markedGlobalTokensSuffix(result)})${approximationNote(result)}`,
  );
  if (preset === undefined && result.answers.length > 1) void pickAnswer(lens, editor, result.answers);
  return result;
}

async function modelCanAnswer(lens: LensContext, modelDir: string): Promise<boolean> {
  try {
    const check = await lens.worker.request('inspectModel', { modelDir });
    const problem = headProblem('question-answering', check);
    if (problem === undefined) return true;
    lens.log.error(`Ask a Question: ${problem}`);
    void vscode.window.showErrorMessage(`Longformer Lens: ${problem}`, 'Choose Model…', 'Show Log').then((choice) => {
      if (choice === 'Choose Model…') void vscode.commands.executeCommand('longformerLens.chooseModel', 'question-answering');
      if (choice === 'Show Log') lens.log.show(true);
    });
  } catch (error) {
    lens.log.debug(`inspecting ${modelDir}: ${sentenceOf(error)}`);
    reportError(lens, 'Ask a Question', error, { task: 'question-answering' });
  }
  return false;
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 40 ? `${flat.slice(0, 39)}…` : flat;
}

async function pickAnswer(lens: LensContext, editor: vscode.TextEditor, answers: readonly Answer[]): Promise<void> {
  const items = answers.map((answer) => {
    const position = editor.document.positionAt(answer.start);
    return {
      label: answer.text.replace(/\s+/g, ' '),
      description: `${scorePercent(answer.score)}`,
      detail: `line ${position.line + 1}, column ${position.character + 1}`,
      answer,
    };
  });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Longformer Lens: answers',
    placeHolder: 'The best answer is highlighted; pick another to jump to it (Escape keeps the best).',
    onDidSelectItem: (item) => lens.answerHighlight.show(editor, (item as (typeof items)[number]).answer),
  });
  // Escape: browsing moved the highlight; the best answer comes back.
  lens.answerHighlight.show(editor, picked?.answer ?? answers[0]!);
}

/** ", and 12 tokens from the marked spans" when the marks made tokens global. */
function markedGlobalTokensSuffix(result: AnswerResult): string {
  const marked = markedGlobalNote(result);
  return marked === undefined ? '' : `; also ${marked}`;
}
