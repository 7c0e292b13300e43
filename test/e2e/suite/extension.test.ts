// The extension in a real VS Code extension host (code-server), driven through its commands the way the menus do.
// The runner sets LENS_E2E_CLS / LENS_E2E_QA (synthetic checkpoints with the fixture tokenizer) and LENS_E2E_DOC.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AnswerResult } from '../../../src/core/tasks/answer';
import type { AttentionMap } from '../../../src/core/tasks/attention';
import type { Classification } from '../../../src/core/tasks/classify';
import type { LensApi } from '../../../src/extension/main';
import type { PickOutcome } from '../../../src/extension/model-picker';
import type { ClassifyMethod } from '../../../src/worker/protocol';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set; run the suite through scripts/e2e/run.sh`);
  return value;
}

async function useModel(folder: string): Promise<void> {
  await vscode.workspace.getConfiguration('longformerLens').update('modelPath', folder, vscode.ConfigurationTarget.Global);
  await vscode.workspace.getConfiguration('longformerLens').update('provider', 'cpu', vscode.ConfigurationTarget.Global);
}

async function openDocument(): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(env('LENS_E2E_DOC')));
  return vscode.window.showTextDocument(document);
}

describe('Longformer Lens in VS Code', function () {
  /** The head folder of the classifier the training test saves under the extension's global storage. */
  let trainedHeadDir: string | undefined;
  before(async () => {
    const extension = vscode.extensions.getExtension('longformer-lens.longformer-lens');
    assert.ok(extension, 'the extension is installed');
    // What ships is what is tested: the runner installs the VSIX and names the folder it went into.
    const installedIn = process.env['LENS_E2E_EXTENSIONS_DIR'];
    if (installedIn !== undefined)
      assert.ok(extension.extensionPath.startsWith(installedIn), `${extension.extensionPath} is the installed VSIX`);
    await extension.activate();
  });

  it('contributes its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['classifyDocument', 'trainClassifier', 'askQuestion', 'markGlobal', 'showAttention', 'showModelInfo']) {
      assert.ok(commands.includes(`longformerLens.${id}`), `longformerLens.${id} is registered`);
    }
  });

  it('summarises the configured model', async () => {
    await useModel(env('LENS_E2E_CLS'));
    const text = await vscode.commands.executeCommand<string>('longformerLens.showModelInfo');
    assert.match(text, /LongformerForSequenceClassification \(sequence-classification\): 2 layers/);
  });

  it('classifies the open document in chunks, in the worker', async () => {
    await useModel(env('LENS_E2E_CLS'));
    await openDocument();
    const result = await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument');
    assert.ok(result, 'a classification came back');
    assert.deepEqual(result.labels, ['negative', 'neutral', 'positive']);
    assert.ok(result.probabilities instanceof Float32Array);
    const sum = [...result.probabilities].reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5, `probabilities sum to 1 (${sum})`);
    assert.ok(result.chunks.length > 1, 'the example document is longer than one chunk');
    assert.equal(result.globalTokens, 0);
  });

  it('sends marked spans as global attention and keeps them on their text through edits', async () => {
    await useModel(env('LENS_E2E_CLS'));
    const editor = await openDocument();
    const phrase = 'reed canary grass';
    const start = editor.document.getText().indexOf(phrase);
    assert.ok(start > 0);
    editor.selection = new vscode.Selection(editor.document.positionAt(start), editor.document.positionAt(start + phrase.length));
    const count = await vscode.commands.executeCommand<number>('longformerLens.markGlobal');
    assert.equal(count, 1);
    const marked = await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument');
    assert.ok(marked !== undefined && marked.globalTokens >= 3, `the phrase's tokens are global (${marked?.globalTokens})`);
    // The result says so where the user reads it: the status bar's tooltip.
    const api = vscode.extensions.getExtension<LensApi>('longformer-lens.longformer-lens')!.exports;
    assert.match(
      api.status().tooltip,
      new RegExp(`The run used global attention on ${marked.globalTokens} tokens from the marked spans\\.`),
    );
    // Insert text before the span: it must move with its phrase, so the same tokens stay global.
    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), 'Draft. '));
    const shifted = await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument');
    assert.equal(shifted?.globalTokens, marked.globalTokens);
    await vscode.commands.executeCommand('longformerLens.clearGlobal');
    const cleared = await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument');
    assert.equal(cleared?.globalTokens, 0);
    assert.doesNotMatch(api.status().tooltip, /marked spans/);
    await vscode.commands.executeCommand('undo');
  });

  it('answers a question, selecting the answer in the editor', async () => {
    await useModel(env('LENS_E2E_QA'));
    const editor = await openDocument();
    const result = await vscode.commands.executeCommand<AnswerResult>('longformerLens.askQuestion', 'How many hectares were replanted?');
    assert.ok(result, 'an answer result came back');
    // The synthetic model (seed 1) is deterministic and does return a span for this question.
    assert.equal(result.noAnswer, false);
    const best = result.answers[0]!;
    assert.equal(
      editor.document.getText(new vscode.Range(editor.document.positionAt(best.start), editor.document.positionAt(best.end))),
      best.text,
    );
    assert.equal(editor.document.offsetAt(editor.selection.start), best.start);
    assert.equal(editor.document.offsetAt(editor.selection.end), best.end);
  });

  it('computes an attention heatmap with typed arrays over every token', async () => {
    await useModel(env('LENS_E2E_CLS'));
    const editor = await openDocument();
    const map = await vscode.commands.executeCommand<AttentionMap>('longformerLens.showAttention', 'global');
    assert.ok(map, 'an attention map came back');
    assert.ok(map.scores instanceof Float32Array && map.starts instanceof Uint32Array);
    assert.equal(map.scores.length, map.starts.length);
    assert.ok(map.ends[map.ends.length - 1]! <= editor.document.getText().length);
    assert.ok(map.scores.some((score) => score > 0));
    await vscode.commands.executeCommand('longformerLens.clearAttention');
  });

  it('trains a classifier from a folder and then classifies with it a model that has no classification head', async () => {
    await useModel(env('LENS_E2E_MLM'));
    await openDocument();
    const method = await vscode.commands.executeCommand<ClassifyMethod>(
      'longformerLens.trainClassifier',
      env('LENS_E2E_EXAMPLES'),
      'families',
    );
    assert.equal(method?.kind, 'trained-head');
    trainedHeadDir = method.headDir;
    // Remembered for this model in this workspace: no question asked.
    const result = await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument');
    assert.ok(result, 'a classification came back');
    assert.equal(result.method, 'trained-head');
    assert.deepEqual(result.labels, ['changelog', 'license', 'python']);
    assert.ok(result.chunks.length > 1);
  });

  it('classifies with zero-shot labels, remembered for the workspace', async () => {
    await useModel(env('LENS_E2E_MLM'));
    await openDocument();
    const labels = 'farming=farm|crop,finance,sport';
    const first = await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument', { kind: 'zero-shot', labels });
    assert.equal(first?.method, 'zero-shot');
    assert.deepEqual(first.labels, ['farming', 'finance', 'sport']);
    const again = await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument');
    assert.equal(again?.method, 'zero-shot');
    assert.deepEqual([...again.probabilities], [...first.probabilities]);
  });

  it('offers the trained classifier in Choose Model for classification; choosing it classifies with its head', async () => {
    assert.ok(trainedHeadDir !== undefined, 'the training test ran first');
    await useModel(env('LENS_E2E_MLM'));
    await openDocument();
    // The test before left zero-shot as this model's method: choosing the classifier must switch it to the head.
    const choosing = vscode.commands.executeCommand<PickOutcome>('longformerLens.chooseModel', 'classification');
    let settled = false;
    void choosing.then(() => (settled = true));
    // A picture of the picker with the classifier in it (the runner takes it when it hears this line).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    console.log('[screenshot] model-picker-trained-classifier');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Trained classifiers come first in the classification picker, and "families" is the only one: accept the first
    // item once the picker is up (retried, since nothing says when the quick pick has opened).
    for (let tries = 0; !settled && tries < 40; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      if (!settled) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const outcome = await choosing;
    assert.deepEqual(outcome, { chosen: env('LENS_E2E_MLM'), classifier: trainedHeadDir });
    assert.equal(vscode.workspace.getConfiguration('longformerLens').get('classificationModel'), env('LENS_E2E_MLM'));
    const result = await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument');
    assert.equal(result?.method, 'trained-head');
    assert.deepEqual(result.labels, ['changelog', 'license', 'python']);
    // The same choice through a folder (the picker's "Use a checkpoint folder…"), and refused for another task.
    const byFolder = await vscode.commands.executeCommand<PickOutcome>('longformerLens.chooseModel', 'classification', trainedHeadDir);
    assert.deepEqual(byFolder, { chosen: env('LENS_E2E_MLM'), classifier: trainedHeadDir });
    const wrongTask = await vscode.commands.executeCommand<PickOutcome>('longformerLens.chooseModel', 'question-answering', trainedHeadDir);
    assert.ok(wrongTask !== undefined && 'refused' in wrongTask);
    assert.match(wrongTask.refused, /trained classifier; it serves classification, not question answering/);
    await vscode.workspace.getConfiguration('longformerLens').update('classificationModel', undefined, vscode.ConfigurationTarget.Global);
  });

  it('reports a model folder without a tokenizer and keeps working', async () => {
    await useModel(env('LENS_E2E_NO_TOKENIZER'));
    await openDocument();
    const failed = await vscode.commands.executeCommand<Classification | undefined>('longformerLens.classifyDocument');
    assert.equal(failed, undefined, 'the failure is reported, not thrown');
    await useModel(env('LENS_E2E_CLS'));
    const recovered = await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument');
    assert.ok(recovered !== undefined && recovered.chunks.length > 1);
  });
});
