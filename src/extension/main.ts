// Activation: builds the LensContext and registers the commands. Everything else lives in the files it names.
import * as vscode from 'vscode';
import { askQuestion } from './commands/ask';
import { chooseHeat, type HeatChoice, showAttention, toggleAttentionHeat } from './commands/attention';
import { chooseModel } from './commands/choose-model';
import { classifyDocument } from './commands/classify';
import { trainClassifier } from './commands/train-classifier';
import { clearGlobal, markGlobal, unmarkAt, unmarkGlobal } from './commands/global-spans';
import { setHubToken } from './commands/hub-token';
import { showModelInfo } from './commands/model-info';
import { cancelTasks, showStatusMenu } from './commands/status-menu';
import { type ExampleStep, tryOnExample } from './commands/walkthrough';
import { LensContext } from './context';
import type { SavedMark } from './mark-persistence';
import type { LensTask } from './tasks';
import { showOverlay } from './overlay/command';
import type { FromWebview, OverlaySelection, OverlaySimulation } from './overlay/messages';
import { AttentionOverlay } from './overlay/panel';
import { REVEAL_CHUNK_COMMAND, type ResultsSnapshot } from './views/results-view';
import { openWalkthrough, openWalkthroughOnce } from './walkthrough';

/** What activate() returns: read-only views for the end-to-end tests. */
export interface LensApi {
  /** The status bar item's text and tooltip as shown now. */
  status(): { readonly text: string; readonly tooltip: string };
  /** The global-attention marks saved for a document URI (what a window reload restores). */
  savedMarks(uri: string): readonly SavedMark[];
  /** What the results view shows now: the followed document's classification, chunk by chunk. */
  resultsView(): ResultsSnapshot | undefined;
  /** The results view's tree items as shown now, the heading first. */
  resultsItems(): vscode.TreeItem[];
}

export function activate(extension: vscode.ExtensionContext): LensApi {
  const lens = new LensContext(extension);
  const overlay = new AttentionOverlay(lens);
  const commands: ReadonlyArray<[string, (...args: never[]) => unknown]> = [
    ['longformerLens.showModelInfo', (task?: LensTask) => showModelInfo(lens, task)],
    ['longformerLens.chooseModel', (task?: unknown, folder?: unknown) => chooseModel(lens, task, folder)],
    ['longformerLens.setHubToken', () => setHubToken(lens)],
    ['longformerLens.classifyDocument', (method?: Parameters<typeof classifyDocument>[1]) => classifyDocument(lens, method)],
    ['longformerLens.trainClassifier', (folder?: string, name?: string) => trainClassifier(lens, folder, name)],
    ['longformerLens.askQuestion', (question?: string) => askQuestion(lens, question)],
    ['longformerLens.markGlobal', () => markGlobal(lens)],
    ['longformerLens.unmarkGlobal', () => unmarkGlobal(lens)],
    ['longformerLens.clearGlobal', () => clearGlobal(lens)],
    ['longformerLens.unmarkAt', (uri?: unknown, offset?: unknown) => unmarkAt(lens, uri, offset)],
    ['longformerLens.showAttention', (mode?: Parameters<typeof showAttention>[1]) => showAttention(lens, mode)],
    ['longformerLens.clearAttention', () => lens.heat.clear()],
    ['longformerLens.clearAnswer', () => lens.answerHighlight.clear()],
    [REVEAL_CHUNK_COMMAND, (uri: string, start: number, end: number) => lens.resultsView.reveal(uri, start, end)],
    ['longformerLens.statusMenu', () => showStatusMenu(lens)],
    ['longformerLens.cancel', () => cancelTasks(lens)],
    ['longformerLens.toggleAttentionHeat', () => toggleAttentionHeat(lens)],
    ['longformerLens.chooseHeat', (choice?: HeatChoice) => chooseHeat(lens, overlay, choice)],
    ['longformerLens.showOverlay', (selection?: OverlaySelection) => showOverlay(overlay, selection)],
    // Not in the palette: the e2e suite reads the overlay's reports and acts in it as a user would.
    ['longformerLens.overlay.report', () => overlay.report()],
    ['longformerLens.overlay.simulate', (action: OverlaySimulation, kind: FromWebview['type']) => overlay.simulate(action, kind)],
    ['longformerLens.overlay.nextReport', (kind: FromWebview['type']) => overlay.nextReport(kind)],
    ['longformerLens.worker.requestCounts', () => lens.worker.requestCounts()],
    [
      'longformerLens.heat.report',
      () => {
        const document = vscode.window.activeTextEditor?.document;
        return document === undefined ? undefined : lens.heat.report(document);
      },
    ],
    ['longformerLens.showOutput', () => lens.log.show(true)],
    ['longformerLens.openWalkthrough', () => openWalkthrough()],
    ['longformerLens.tryExample', (step: ExampleStep) => tryOnExample(lens, step)],
  ];
  extension.subscriptions.push(lens, overlay, ...commands.map(([id, run]) => vscode.commands.registerCommand(id, run)));
  void openWalkthroughOnce(extension.globalState);
  return {
    status: () => lens.statusBar.shown,
    savedMarks: (uri) => lens.globalSpans.saved(uri),
    resultsView: () => lens.resultsView.snapshot,
    resultsItems: () => lens.resultsView.items(),
  };
}

export function deactivate(): void {
  // The LensContext is disposed through extension.subscriptions.
}
