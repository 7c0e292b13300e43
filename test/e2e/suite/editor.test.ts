// The editor experience in a real VS Code host: a model per task, the status bar following the active editor's
// results (stale after an edit or a model change, cleared by a failed run), and Choose Model's on-the-spot checks.
// "[screenshot] NAME" lines ask the runner (scripts/e2e/run-ext-tests.js) for a screenshot of the window.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AnswerResult } from '../../../src/core/tasks/answer';
import type { Classification } from '../../../src/core/tasks/classify';
import type { LensApi } from '../../../src/extension/main';
import { textHash } from '../../../src/extension/mark-persistence';
import type { PickOutcome } from '../../../src/extension/model-picker';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set; run the suite through scripts/e2e/run.sh`);
  return value;
}

const settings = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('longformerLens');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `keepNotifications` when a notification is what the picture shows (a refusal). */
async function screenshot(name: string, keepNotifications = false): Promise<void> {
  // Otherwise a first-result toast or a finished task's message would cover the window's lower right.
  if (!keepNotifications) await vscode.commands.executeCommand('notifications.clearAll');
  console.log(`[screenshot] ${name}`);
  // The runner hears the line through the page's console and takes the picture.
  await sleep(1500);
}

describe('the editor experience', function () {
  let api: LensApi;

  before(async () => {
    const extension = vscode.extensions.getExtension<LensApi>('longformer-lens.longformer-lens');
    assert.ok(extension);
    api = await extension.activate();
    await settings().update('provider', 'cpu', vscode.ConfigurationTarget.Global);
    await settings().update('classificationModel', env('LENS_E2E_CLS'), vscode.ConfigurationTarget.Global);
    await settings().update('questionAnsweringModel', env('LENS_E2E_QA'), vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    // The other suite sets the legacy modelPath, which the per-task settings would override.
    for (const key of ['classificationModel', 'questionAnsweringModel', 'baseModel'])
      await settings().update(key, undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('two documents, two tasks: each uses its own model and the status bar follows the active editor', async () => {
    const report = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(env('LENS_E2E_DOC'))));
    const classification = await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument');
    assert.ok(classification, 'classified with the classification model');
    assert.match(api.status().text, /^\$\(symbol-enum\) \w+ [\d.]+% · cls · cpu$/);
    assert.match(api.status().tooltip, new RegExp(`Model: ${env('LENS_E2E_CLS')}`));
    // Each chunk's result at its first line.
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', report.document.uri);
    const titles = lenses.map((lens) => lens.command?.title ?? '');
    assert.equal(
      titles.filter((title) => /chunk \d of \d: \w+ [\d.]+%/.test(title)).length,
      classification.chunks.length,
      titles.join(' | '),
    );

    const notes = await vscode.window.showTextDocument(
      await vscode.workspace.openTextDocument({
        language: 'markdown',
        content: '# Field notes\n\nThe crew replanted 14 hectares of wetland in May, after the reed canary grass was cut back.\n',
      }),
      vscode.ViewColumn.Beside,
    );
    assert.equal(api.status().text, '$(telescope) Longformer Lens', 'a document without a result shows none');
    const answers = await vscode.commands.executeCommand<AnswerResult>('longformerLens.askQuestion', 'How many hectares were replanted?');
    assert.ok(answers, 'answered with the question-answering model (a classification model would be refused)');
    assert.match(api.status().text, /^\$\(question\) .* · qa · cpu$/);
    await screenshot('status-answer');

    await vscode.window.showTextDocument(report.document, vscode.ViewColumn.One);
    assert.match(api.status().text, /^\$\(symbol-enum\) /, 'back on the report: its classification');
    await screenshot('status-classification');

    // An edit makes the result stale; undoing it does not bring the old version back.
    await report.edit((edit) => edit.insert(new vscode.Position(0, 0), 'Draft. '));
    assert.match(api.status().text, /\(stale\)$/);
    assert.match(api.status().tooltip, /Stale: the document has changed since\./);
    await vscode.commands.executeCommand('undo');

    await vscode.window.showTextDocument(notes.document);
    await settings().update('questionAnsweringModel', env('LENS_E2E_CLS'), vscode.ConfigurationTarget.Global);
    assert.match(api.status().text, /\(stale\)$/);
    assert.match(api.status().tooltip, /Stale: made with another model/);
    await settings().update('questionAnsweringModel', env('LENS_E2E_QA'), vscode.ConfigurationTarget.Global);
    assert.doesNotMatch(api.status().text, /stale/);
  });

  it('the results view lists each chunk with its lines, label and score; a click shows the chunk in the editor', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(env('LENS_E2E_LONG_DOC'))));
    const document = editor.document;
    const classification = await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument');
    assert.ok(classification);
    assert.ok(classification.chunks.length > 3, `a long document makes several chunks (${classification.chunks.length})`);
    const shown = api.resultsView();
    assert.ok(shown, 'the view follows the active, classified document');
    assert.equal(shown.uri, document.uri.toString());
    const best = classification.labels.indexOf(classification.label);
    assert.equal(shown.tree.heading.label, `Document: ${classification.label} ${(100 * classification.probabilities[best]!).toFixed(1)}%`);
    assert.equal(shown.tree.chunks.length, classification.chunks.length);
    shown.tree.chunks.forEach((row, i) => {
      const chunk = classification.chunks[i]!;
      assert.equal(row.firstLine, document.positionAt(chunk.start).line + 1);
      assert.match(row.label, /^Lines? \d+/);
      assert.match(row.description, /^\w+ [\d.]+%( · differs from the document)?$/);
    });
    await vscode.commands.executeCommand('longformerLens.results.focus');
    await screenshot('results-view');

    const items = api.resultsItems();
    assert.equal(items.length, 1 + classification.chunks.length, 'the heading, then one item per chunk');
    assert.deepEqual(
      items.slice(1).map((item) => [item.label, item.description]),
      shown.tree.chunks.map((row) => [row.label, row.description]),
    );
    // A differing chunk has the warning icon, the others a check.
    items.slice(1).forEach((item, i) => {
      const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : '';
      assert.equal(icon, shown.tree.chunks[i]!.differs ? 'warning' : 'pass');
    });

    // What a click on a row runs: the editor shows the chunk's first line at the top, with the cursor on it.
    const row = shown.tree.chunks[shown.tree.chunks.length - 2]!;
    const command = items[items.length - 2]!.command;
    assert.ok(command?.arguments);
    const revealed = await vscode.commands.executeCommand<vscode.TextEditor>(command.command, ...(command.arguments as unknown[]));
    assert.equal(revealed.document, document);
    assert.equal(revealed.selection.active.line, row.firstLine - 1);
    // The editor reports its scrolled view to the extension host a moment later.
    const inView = (): boolean =>
      revealed.visibleRanges.some((range) => range.start.line <= row.firstLine - 1 && row.firstLine - 1 <= range.end.line);
    for (let waited = 0; !inView() && waited < 10000; waited += 200) await sleep(200);
    const visible = revealed.visibleRanges[0]!;
    assert.ok(
      visible.start.line <= row.firstLine - 1 && row.firstLine - 1 <= visible.end.line && visible.start.line > 100,
      `line ${row.firstLine} is in view (${visible.start.line + 1}-${visible.end.line + 1})`,
    );
    await screenshot('results-view-revealed');

    // An edit marks the result stale above the tree; a document without a result leaves the view empty.
    await revealed.edit((edit) => edit.insert(new vscode.Position(0, 0), ' '));
    assert.match(api.resultsView()?.tree.message ?? '', /^Stale: the document has changed since\./);
    await vscode.commands.executeCommand('undo');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'plaintext', content: 'nothing classified' }));
    assert.equal(api.resultsView(), undefined);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('the precision setting reaches the engine, and the tooltip says which precision ran and why', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(env('LENS_E2E_DOC'))));
    assert.ok(await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument'));
    assert.match(api.status().tooltip, /^Precision: fp32$/m);
    await settings().update('precision', 'fp16', vscode.ConfigurationTarget.Global);
    try {
      assert.ok(await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument'));
      // The suite runs on the CPU provider, where fp16 runs fp32 with the reason.
      assert.match(api.status().text, / · cls · cpu$/);
      assert.match(api.status().tooltip, /^Precision: fp32 \(fp16 not run: fp16 runs on GPU providers only; ran fp32\.\)$/m);
      // int8 is a CPU precision: it runs, and the status bar names it beside the provider.
      await settings().update('precision', 'int8', vscode.ConfigurationTarget.Global);
      assert.ok(await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument'));
      assert.match(api.status().text, / · cls · cpu int8$/);
      assert.match(api.status().tooltip, /^Precision: int8$/m);
    } finally {
      await settings().update('precision', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('a failed run clears the old result of its document', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(env('LENS_E2E_DOC'))));
    assert.ok(await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument'));
    await settings().update('classificationModel', env('LENS_E2E_NO_TOKENIZER'), vscode.ConfigurationTarget.Global);
    const failed = await vscode.commands.executeCommand<Classification | undefined>('longformerLens.classifyDocument');
    assert.equal(failed, undefined);
    assert.equal(api.status().text, '$(telescope) Longformer Lens');
    await settings().update('classificationModel', env('LENS_E2E_CLS'), vscode.ConfigurationTarget.Global);
  });

  it('with longformerLens.extendPositions the result and the status bar say it is an approximation', async () => {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(env('LENS_E2E_DOC'))));
    await settings().update('extendPositions', 1024, vscode.ConfigurationTarget.Global);
    try {
      const result = await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument');
      assert.ok(result, 'classified with extended positions');
      // The synthesized checkpoint takes 512 tokens (514 positions).
      assert.match(result.approximation ?? '', /^position embeddings extended from 512 to 1024 tokens/);
      assert.match(api.status().text, / · cls · cpu · approximation$/);
      assert.match(api.status().tooltip, /Approximation: position embeddings extended from 512 to 1024 tokens/);
    } finally {
      await settings().update('extendPositions', undefined, vscode.ConfigurationTarget.Global);
    }
    const plain = await vscode.commands.executeCommand<Classification>('longformerLens.classifyDocument');
    assert.equal(plain?.approximation, undefined);
    assert.doesNotMatch(api.status().text, /approximation/);
  });

  it('Choose Model refuses a folder without config.json on the spot, and keeps the current model', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-e2e-no-config-'));
    fs.writeFileSync(path.join(empty, 'notes.txt'), 'not a checkpoint');
    await vscode.commands.executeCommand('notifications.clearAll');
    const outcome = await vscode.commands.executeCommand<PickOutcome>('longformerLens.chooseModel', 'classification', empty);
    assert.ok(outcome !== undefined && 'refused' in outcome, 'refused');
    assert.match(outcome.refused, /config\.json/);
    assert.equal(settings().get('classificationModel'), env('LENS_E2E_CLS'));
    await screenshot('choose-model-refused', true);
    fs.rmSync(empty, { recursive: true, force: true });
  });

  it('Choose Model refuses a head that does not fit the task, and stores one that does', async () => {
    const wrong = await vscode.commands.executeCommand<PickOutcome>(
      'longformerLens.chooseModel',
      'question-answering',
      env('LENS_E2E_CLS'),
    );
    assert.ok(wrong !== undefined && 'refused' in wrong);
    assert.match(wrong.refused, /sequence-classification head; question answering needs a question-answering head/);
    const right = await vscode.commands.executeCommand<PickOutcome>('longformerLens.chooseModel', 'question-answering', env('LENS_E2E_QA'));
    assert.deepEqual(right, { chosen: env('LENS_E2E_QA') });
    assert.equal(settings().get('questionAnsweringModel'), env('LENS_E2E_QA'));
  });

  it('unmarks the whole mark at the cursor; the hover says how many tokens a mark makes global and where', async () => {
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(env('LENS_E2E_DOC'))));
    const document = editor.document;
    await vscode.commands.executeCommand('longformerLens.clearGlobal');
    const phrase = 'reed canary grass';
    const start = document.getText().indexOf(phrase);
    editor.selection = new vscode.Selection(document.positionAt(start), document.positionAt(start + phrase.length));
    assert.equal(await vscode.commands.executeCommand<number>('longformerLens.markGlobal'), 1);

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      document.uri,
      document.positionAt(start + 6),
    );
    const text = hovers
      .flatMap((hover) => hover.contents)
      .map((content) => (typeof content === 'string' ? content : 'value' in content ? content.value : ''))
      .join('\n');
    assert.match(
      text,
      /\*\*Global attention\*\* \(Longformer Lens\): \d+ tokens here attend to, and are attended by, every token of chunks? [\d, ]+ of \d+ \(not the whole document/,
    );
    assert.match(text, /\[Unmark\]\(command:longformerLens\.unmarkAt\?/);
    editor.selection = new vscode.Selection(document.positionAt(start + 6), document.positionAt(start + 6));
    await vscode.commands.executeCommand('editor.action.showHover');
    await screenshot('mark-hover');

    // A cursor inside "canary" removes the whole mark, not one word of it.
    editor.selection = new vscode.Selection(document.positionAt(start + 8), document.positionAt(start + 8));
    assert.equal(await vscode.commands.executeCommand<number>('longformerLens.unmarkGlobal'), 0);
  });

  it('saves marks in the workspace state with a hash of their text, and forgets them when cleared', async () => {
    const uri = vscode.Uri.file(env('LENS_E2E_DOC'));
    const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const phrase = 'reed canary grass';
    const start = editor.document.getText().indexOf(phrase);
    editor.selection = new vscode.Selection(editor.document.positionAt(start), editor.document.positionAt(start + phrase.length));
    await vscode.commands.executeCommand('longformerLens.markGlobal');
    // What a reload restores from (restoreMarks, unit-tested): the span and the hash of its text.
    assert.deepEqual(api.savedMarks(uri.toString()), [{ start, end: start + phrase.length, hash: textHash(phrase) }]);
    assert.equal(await vscode.commands.executeCommand<number>('longformerLens.clearGlobal'), 1);
    assert.deepEqual(api.savedMarks(uri.toString()), []);
  });
});
