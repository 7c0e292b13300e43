// Renders images/icon.svg to images/icon.png (128 x 128; the Marketplace takes PNG icons only) with the e2e
// suite's headless Chromium. usage: PLAYWRIGHT_CORE=$PWD/.vscode-host/node_modules/playwright-core node scripts/render-icon.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const { launchBrowser } = createRequire(import.meta.url)('./e2e/browser.js');
const svg = readFileSync('images/icon.svg', 'utf8');
const { page, close } = await launchBrowser({ viewport: { width: 128, height: 128 } });
try {
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: 'images/icon.png', omitBackground: true });
} finally {
  await close();
}
