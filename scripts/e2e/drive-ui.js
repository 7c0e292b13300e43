// Drives the real workbench the way a person does (Quick Open, the command palette, the input box) and saves
// screenshots: a manual check of what users see, not part of the test suite.
// usage: node drive-ui.js --server URL --dev DIR --folder DIR --file NAME --out DIR
const path = require('path');
const { main, openFile, palette, parseArgs, shot, withBrowser, workbenchUrl } = require('./browser');

const args = parseArgs(process.argv);
const url = workbenchUrl(new URL(args.server), args.folder, args.dev);
const out = path.resolve(args.out);

async function drive(page) {
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
  await page.waitForTimeout(4000);
  await openFile(page, args.file);

  await palette(page, 'Longformer Lens: Classify Document');
  await page.waitForSelector('.notifications-toasts .notification-toast:has-text("Longformer Lens:")', { timeout: 120000 });
  await page.waitForTimeout(500);
  await shot(page, out, '1-classify.png');

  await palette(page, 'Longformer Lens: Ask a Question About This Document');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type('How many hectares were replanted?');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(6000);
  await shot(page, out, '2-answer.png');
  await page.keyboard.press('Escape');

  await palette(page, 'Longformer Lens: Show Attention Heatmap');
  await page.waitForSelector('.quick-input-widget .monaco-list-row', { state: 'visible' });
  await page.keyboard.press('Enter');
  await page.waitForTimeout(6000);
  await shot(page, out, '3-heatmap.png');
}

main(() => withBrowser({ width: 1400, height: 900 }, path.join(out, 'failure.png'), drive));
