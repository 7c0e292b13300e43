// "Longformer Lens: Set Hugging Face Token": kept in VS Code's secret store (the OS keychain), sent only to the hub
// for gated or private repositories, never written to settings or logs.
import * as vscode from 'vscode';
import type { LensContext } from '../context';
import { HUB_TOKEN_SECRET } from '../secrets';

export async function setHubToken(lens: LensContext): Promise<boolean> {
  const token = await vscode.window.showInputBox({
    title: 'Longformer Lens: Hugging Face access token',
    prompt: 'For gated or private models. Leave empty to remove the stored token.',
    password: true,
    ignoreFocusOut: true,
  });
  if (token === undefined) return false;
  if (token.trim() === '') {
    await lens.extension.secrets.delete(HUB_TOKEN_SECRET);
    void vscode.window.showInformationMessage('Longformer Lens: the stored Hugging Face token was removed.');
  } else {
    await lens.extension.secrets.store(HUB_TOKEN_SECRET, token.trim());
    void vscode.window.showInformationMessage('Longformer Lens: the Hugging Face token is stored in the secret store.');
  }
  return true;
}
