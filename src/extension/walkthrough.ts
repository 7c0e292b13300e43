// The first-run walkthrough (contributes.walkthroughs in package.json): opening it, once on the first activation,
// and the offer a command makes when it needs a model and none is set.
import * as vscode from 'vscode';
import { configuredModel } from './config';
import { TASKS, type LensTask } from './tasks';

/** VS Code names a contributed walkthrough `<publisher>.<name>#<id>`, and its steps `<walkthrough>#<step id>`. */
export const WALKTHROUGH = 'longformer-lens.longformer-lens#firstRun';
export const MODEL_STEP = `${WALKTHROUGH}#chooseModel`;
const SHOWN_KEY = 'longformerLens.walkthroughShown';

let opening: Promise<unknown> | undefined;

export function openWalkthrough(step?: string): Promise<unknown> {
  // The first activation can come from Open Walkthrough itself; two opens at once leave the editor area empty.
  if (opening !== undefined) return opening;
  const target = step === undefined ? WALKTHROUGH : { category: WALKTHROUGH, step };
  const opened = Promise.resolve(vscode.commands.executeCommand('workbench.action.openWalkthrough', target, false));
  opening = opened;
  void opened.finally(() => (opening = undefined));
  return opened;
}

/**
 * Opens the walkthrough the first time the extension activates in this profile, unless a model is set already: the
 * walkthrough starts with choosing one, and someone whose settings name a model (set by hand, or synced from another
 * machine) is past that step. In VS Code for the web the profile's state lives in the browser, so a new browser would
 * otherwise open it again over the user's editors.
 */
export async function openWalkthroughOnce(state: vscode.Memento): Promise<void> {
  if (state.get<boolean>(SHOWN_KEY) === true) return;
  await state.update(SHOWN_KEY, true);
  if ((Object.keys(TASKS) as LensTask[]).some((task) => configuredModel(task) !== '')) return;
  await openWalkthrough();
}

/**
 * No model is set: say so and offer the walkthrough's model step, or the picker at once. Resolves to true when the
 * user wants the picker now.
 */
export async function offerModelStep(): Promise<boolean> {
  const choose = 'Choose Model';
  const guide = 'Show Me How';
  const answer = await vscode.window.showInformationMessage(
    'Longformer Lens needs a model first: download the recommended checkpoint from the hub, or pick a checkpoint folder.',
    choose,
    guide,
  );
  if (answer === guide) await openWalkthrough(MODEL_STEP);
  return answer === choose;
}
