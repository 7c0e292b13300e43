// Drives the real workbench the way a person does (Quick Open, the command palette, the input box) and saves
// screenshots: a manual check of what users see, not part of the test suite.
// usage: node drive-ui.js --server URL --dev DIR --folder DIR --file NAME --out DIR
const fs = require('fs');
const path = require('path');
const { launchBrowser, parseArgs } = require('./browser');

const args = parseArgs(process.argv);
const server = new URL(args.server);
const payload = [['extensionDevelopmentPath', `vscode-remote://${server.host}${path.resolve(args.dev)}`]];
const url = `${server.origin}/?folder=${encodeURIComponent(path.resolve(args.folder))}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

async function palette(page, command) {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget', { state: 'visible' });
  await page.keyboard.type(command);
  await page.waitForTimeout(600);
  await page.keyboard.press('Enter');
}

(async () => {
  fs.mkdirSync(args.out, { recursive: true });
  const { page, close } = await launchBrowser({ viewport: { width: 1400, height: 900 } });
  try {
    await drive(page);
  } catch (error) {
    // What the page showed when a step timed out says more than the timeout does.
    await page.screenshot({ path: path.join(args.out, 'failure.png') }).catch(() => {});
    throw error;
  } finally {
    await close();
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

async function drive(page) {
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
  await page.waitForTimeout(4000);
  await page.keyboard.press('Control+P');
  await page.keyboard.type(args.file);
  // The file search answers after a moment; Enter before the row is there opens nothing.
  await page.waitForSelector(`.quick-input-widget .monaco-list-row:has-text("${args.file}")`, { timeout: 30000 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30000 });
  await page.waitForTimeout(1500);

  await palette(page, 'Longformer Lens: Classify Document');
  await page.waitForSelector('.notifications-toasts .notification-toast:has-text("Longformer Lens:")', { timeout: 120000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(args.out, '1-classify.png') });

  await palette(page, 'Longformer Lens: Ask a Question About This Document');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type('How many hectares were replanted?');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(6000);
  await page.screenshot({ path: path.join(args.out, '2-answer.png') });
  await page.keyboard.press('Escape');

  await palette(page, 'Longformer Lens: Show Attention Heatmap');
  await page.waitForSelector('.quick-input-widget .monaco-list-row', { state: 'visible' });
  await page.keyboard.press('Enter');
  await page.waitForTimeout(6000);
  await page.screenshot({ path: path.join(args.out, '3-heatmap.png') });
}
