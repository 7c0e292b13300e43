import assert from 'node:assert/strict';
import { contentSecurityPolicy, overlayHtml } from '../../../src/extension/overlay/html';

const input = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/overlay.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/overlay.css',
};

describe('overlay HTML', () => {
  it('allows only the nonce script and media styles, nothing inline or remote', () => {
    const html = overlayHtml({ ...input, nonce: 'abc123' });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.equal(csp, contentSecurityPolicy(input.cspSource, 'abc123'));
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /script-src 'nonce-abc123'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((match) => match[1]);
    assert.deepEqual(scripts, [` nonce="abc123" src="${input.scriptUri}"`]);
    assert.doesNotMatch(html, /style="/, 'no inline style attributes');
  });

  it('makes a fresh nonce each time and refuses values that could leave an attribute', () => {
    const nonces = new Set([overlayHtml(input), overlayHtml(input)].map((html) => /nonce="([^"]+)"/.exec(html)?.[1]));
    assert.equal(nonces.size, 2);
    assert.throws(() => overlayHtml({ ...input, scriptUri: 'x"><script>alert(1)</script>' }), /unsafe value/);
  });
});
