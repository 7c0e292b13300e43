// "Longformer Lens: Ask a Question": asks for a question, finds the best answers in the document, highlights the
// best one and lets the user step through the others.
import * as vscode from 'vscode';
import type { Answer, AnswerResult } from '../../core/tasks/answer';
import { readSettings } from '../config';
import type { LensContext } from '../context';
import { scorePercent } from '../decorations/answer-highlight';
import { documentRequest } from '../document-request';
import { runTask } from '../run-task';

export async function askQuestion(lens: LensContext, preset?: string): Promise<AnswerResult | undefined> {
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
  const request = await documentRequest(lens);
  if (request === undefined) return undefined;
  const { editor, params } = request;
  const topK = readSettings().topK;
  const result = await runTask(lens, 'Answering', (signal, onProgress) =>
    lens.worker.request('answer', { ...params, question, topK }, { signal, onProgress }),
  );
  if (result === undefined) return undefined;
  result.warnings.forEach((warning) => lens.log.warn(warning));
  const best = result.answers[0];
  if (result.noAnswer || best === undefined) {
    editor.setDecorations(lens.answerHighlight.decoration, []);
    void vscode.window.showInformationMessage(`Longformer Lens: the model finds no answer to "${question}" in this document.`);
    return result;
  }
  lens.answerHighlight.show(editor, best);
  lens.log.info(
    `answered "${question}" on ${result.provider}: ${result.answers.map((a) => `"${a.text}" ${scorePercent(a.score)}`).join('; ')}`,
  );
  if (preset === undefined && result.answers.length > 1) void pickAnswer(lens, editor, result.answers);
  return result;
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
    placeHolder: 'The best answer is highlighted; pick another to jump to it.',
    onDidSelectItem: (item) => lens.answerHighlight.show(editor, (item as (typeof items)[number]).answer),
  });
  if (picked !== undefined) lens.answerHighlight.show(editor, picked.answer);
}
