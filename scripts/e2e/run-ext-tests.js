// Runs the extension's mocha suite inside code-server's real extension host (the offline stand-in for
// @vscode/test-electron): a headless Chromium opens the workbench with extensionTestsPath, and the workbench reports
// the suite's result through window.codeAutomationExit. VS Code runs a test module only beside a development
// folder: --dev DIR names it. To test the installed VSIX, run.sh names the suite's own folder, which holds no
// extension, so the installed copy is the one that runs.
// usage: node run-ext-tests.js --server URL --dev DIR --tests FILE [--folder DIR] [--timeout MS]
const fs = require('fs');
const path = require('path');
const util = require('util');
const { launchBrowser, parseArgs } = require('./browser');

const args = parseArgs(process.argv);
const server = new URL(args.server);
const remote = (p) => `vscode-remote://${server.host}${p}`;
const payload = [
  ['extensionDevelopmentPath', remote(path.resolve(args.dev))],
  ['extensionTestsPath', remote(path.resolve(args.tests))],
];
const folder = args.folder ? `folder=${encodeURIComponent(path.resolve(args.folder))}&` : 'ew=true&';
const url = `${server.origin}/?${folder}payload=${encodeURIComponent(JSON.stringify(payload))}`;
// Browser and workbench noise that says nothing about the extension.
const NOISE =
  /Failed to load resource|open-vsx|socket|connection token|Service Worker|same-origin|allow-same-origin|ChatSessionStore|builtin extensions cache|copilot-instructions/;

(async () => {
  const started = Date.now();
  const { page, close } = await launchBrowser({ executablePath: args.chromium });
  let finish;
  const exited = new Promise((resolve) => (finish = resolve));
  await page.exposeFunction('codeAutomationExit', (code) => finish(code));
  page.on('console', async (message) => {
    let values;
    try {
      values = await Promise.all(message.args().map((handle) => handle.jsonValue()));
    } catch {
      values = [message.text()];
    }
    if (typeof values[0] === 'string' && values[0].startsWith('%c')) values = values.slice(2);
    const line = util.format(...values);
    if (/^\s*$/.test(line) || NOISE.test(line)) return;
    console.log(line);
    // The suite asks for a screenshot by logging "[screenshot] NAME" and waits a moment for it.
    const shot = /^\[screenshot\] ([\w-]+)$/.exec(line.trim());
    if (shot !== null && args.screenshots) {
      fs.mkdirSync(args.screenshots, { recursive: true });
      await page
        .screenshot({ path: path.join(args.screenshots, `${shot[1]}.png`) })
        .catch((error) => console.log(`[screenshot] failed: ${error}`));
    }
  });
  await page.goto(url);
  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), Number(args.timeout || 240000)));
  const code = await Promise.race([exited, timeout]);
  console.log(`[run-ext-tests] exit=${code} after ${((Date.now() - started) / 1000).toFixed(1)}s`);
  await close();
  process.exit(code === 0 ? 0 : 1);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
