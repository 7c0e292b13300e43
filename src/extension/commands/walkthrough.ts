// The walkthrough's "do it" buttons: each opens the example document that ships in the VSIX and runs one command on
// it, the way a user would from the editor.
import * as vscode from 'vscode';
import type { LensContext } from '../context';

export type ExampleStep = 'classify' | 'ask' | 'markGlobal' | 'overlay';

const EXAMPLE = ['examples', 'field-report.txt'] as const;
/** A phrase of the example report worth global attention: the invasive grass the report is about. */
const GLOBAL_PHRASE = 'reed canary grass';

export async function tryOnExample(lens: LensContext, step: ExampleStep): Promise<unknown> {
  const uri = vscode.Uri.joinPath(lens.extension.extensionUri, ...EXAMPLE);
  // Beside the walkthrough, so its next step stays in view.
  const editor = await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  switch (step) {
    case 'classify':
      return vscode.commands.executeCommand('longformerLens.classifyDocument');
    case 'ask':
      return vscode.commands.executeCommand('longformerLens.askQuestion');
    case 'markGlobal': {
      const start = editor.document.getText().indexOf(GLOBAL_PHRASE);
      const range = new vscode.Range(editor.document.positionAt(start), editor.document.positionAt(start + GLOBAL_PHRASE.length));
      editor.selection = new vscode.Selection(range.start, range.end);
      editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
      return vscode.commands.executeCommand('longformerLens.markGlobal');
    }
    case 'overlay': {
      // The webview overlay where this build has it, else the in-editor heatmap.
      const commands = await vscode.commands.getCommands(true);
      const overlay = commands.includes('longformerLens.showOverlay') ? 'longformerLens.showOverlay' : 'longformerLens.showAttention';
      return vscode.commands.executeCommand(overlay);
    }
  }
}
