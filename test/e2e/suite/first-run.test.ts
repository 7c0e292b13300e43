// The first run of the installed extension: the walkthrough opens on the first activation, its steps each have a
// "do it" button and a picture that ship in the VSIX, and the buttons work on the example document shipped with it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Classification } from '../../../src/core/tasks/classify';

const EXTENSION_ID = 'longformer-lens.longformer-lens';

// Recorded from the moment mocha loads this file, before any spec activates the extension (another spec may close
// every editor before this one runs).
const openedTabs: string[] = [];
vscode.window.tabGroups.onDidChangeTabs((event) => openedTabs.push(...event.opened.map((tab) => tab.label)));

interface WalkthroughStep {
  readonly id: string;
  readonly description: string;
  /** One picture per theme kind: VS Code shows the one that fits the theme in use. */
  readonly media: { readonly image: Record<'light' | 'dark' | 'hc' | 'hcLight', string> };
}

function extension(): vscode.Extension<unknown> {
  const found = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(found, 'the extension is installed');
  return found;
}

async function until(condition: () => boolean, what: string, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('First run', function () {
  before(async () => {
    await extension().activate();
  });

  // The window is restored as the suite leaves it, and an open walkthrough takes the keyboard focus from the next
  // page load (the UI drivers' Quick Open).
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens the walkthrough on the first activation', async () => {
    await until(() => openedTabs.includes('Welcome'), `the walkthrough's Welcome tab (opened: ${openedTabs.join(', ')})`);
  });

  it('contributes five steps, each with a do-it button and a light and a dark picture that ship in the VSIX', () => {
    const manifest = extension().packageJSON as { contributes: { walkthroughs: Array<{ steps: WalkthroughStep[] }> } };
    const steps = manifest.contributes.walkthroughs[0]!.steps;
    assert.deepEqual(
      steps.map((step) => step.id),
      ['chooseModel', 'classify', 'ask', 'markGlobal', 'overlay'],
    );
    for (const step of steps) {
      assert.match(step.description, /\n\[[^\]]+\]\(command:longformerLens\.[^)]+\)/, `${step.id} has a button`);
      const { light, dark, hc, hcLight } = step.media.image;
      assert.notEqual(light, dark, `${step.id} has a picture for each theme`);
      assert.deepEqual([hc, hcLight], [dark, light], `${step.id}: high contrast themes take the dark and light pictures`);
      for (const image of [light, dark]) {
        const picture = path.join(extension().extensionPath, image);
        assert.ok(fs.statSync(picture).size > 10_000, `${step.id}'s picture ${picture} is in the package`);
      }
    }
  });

  it("runs the steps' buttons on the example document that ships in the VSIX", async () => {
    const settings = vscode.workspace.getConfiguration('longformerLens');
    await settings.update('modelPath', process.env['LENS_E2E_CLS'], vscode.ConfigurationTarget.Global);
    await settings.update('provider', 'cpu', vscode.ConfigurationTarget.Global);
    const marked = await vscode.commands.executeCommand<number>('longformerLens.tryExample', 'markGlobal');
    assert.equal(marked, 1);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor !== undefined);
    assert.equal(editor.document.uri.fsPath, path.join(extension().extensionPath, 'examples', 'field-report.txt'));
    assert.equal(editor.document.getText(editor.selection), 'reed canary grass');
    const classified = await vscode.commands.executeCommand<Classification>('longformerLens.tryExample', 'classify');
    assert.ok(classified !== undefined && classified.globalTokens >= 3, 'the marked phrase is global in the classification');
    await vscode.commands.executeCommand('longformerLens.clearGlobal');
  });
});
