// The overlay's HTML shell. Locked down: a Content-Security-Policy that allows only the nonce'd script and styles
// from media/ (the webview's cspSource), nothing inline, nothing remote. The document's text never goes into this
// HTML: it arrives by postMessage and the script sets it as text content. Pure (no `vscode`), unit-tested.
import { randomBytes } from 'node:crypto';

export interface OverlayHtmlInput {
  /** webview.cspSource: the origin the webview serves localResourceRoots from. */
  readonly cspSource: string;
  /** webview.asWebviewUri of media/overlay.js and media/overlay.css. */
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly nonce?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const ATTRIBUTE_UNSAFE = /["<>&]/;

export function overlayHtml(input: OverlayHtmlInput): string {
  const nonce = input.nonce ?? makeNonce();
  for (const value of [input.cspSource, input.scriptUri, input.styleUri, nonce]) {
    // These come from VS Code, never from the document; refuse anything that could break out of an attribute.
    if (ATTRIBUTE_UNSAFE.test(value)) throw new Error(`unsafe value for the overlay HTML: ${value}`);
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(input.cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${input.styleUri}">
<title>Attention Overlay</title>
</head>
<body>
<header id="controls" aria-label="Attention controls">
  <label>Show <select id="mode" aria-label="Mode">
    <option value="global">from the global tokens</option>
    <option value="received">received by each token</option>
    <option value="token">from one token (click it)</option>
  </select></label>
  <label>Layer <select id="layer" aria-label="Layer"></select></label>
  <label>Head <select id="head" aria-label="Head"></select></label>
  <label>Scale <select id="scale" aria-label="Scale">
    <option value="linear">linear</option>
    <option value="log">log</option>
  </select></label>
  <label>Shade <select id="top" aria-label="Cut-off"></select></label>
  <span id="status" role="status"></span>
</header>
<div id="legend" aria-label="Legend"></div>
<div id="banner" hidden><span id="banner-text"></span> <button id="refresh" type="button">Refresh</button></div>
<main id="scroller" tabindex="0" aria-label="Document tokens shaded by attention"><div id="spacer"></div><div id="rows"></div></main>
<div id="tooltip" role="tooltip" hidden></div>
<div id="measure" aria-hidden="true">0000000000</div>
<script nonce="${nonce}" src="${input.scriptUri}"></script>
</body>
</html>
`;
}
