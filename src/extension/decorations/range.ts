import * as vscode from 'vscode';

/** The editor range of UTF-16 offsets [start, end), the unit every core result uses. */
export function rangeOf(document: vscode.TextDocument, start: number, end: number): vscode.Range {
  return new vscode.Range(document.positionAt(start), document.positionAt(end));
}
