// Renders an SVG drawing to PNG with the e2e suite's headless Chromium: the icon (the Marketplace takes PNG icons
// only) and the README's attention picture.
// usage: PLAYWRIGHT_CORE=$PWD/.vscode-host/node_modules/playwright-core node scripts/render-svg.mjs images/icon.svg images/icon.png
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [source, target] = process.argv.slice(2);
if (source === undefined || target === undefined) throw new Error('usage: render-svg.mjs SOURCE.svg TARGET.png');
const { launchBrowser } = createRequire(import.meta.url)('./e2e/browser.js');
const svg = readFileSync(source, 'utf8');
const { page, close } = await launchBrowser({ viewport: { width: 1200, height: 900 } });
try {
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: target, omitBackground: true });
} finally {
  await close();
}
