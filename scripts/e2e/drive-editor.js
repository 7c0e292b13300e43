// The editor experience as a person sees it, in a light and a dark theme, with the extension installed from the
// VSIX: marks a line for global attention, classifies a long document from the palette (a notification for the
// window's first result only), opens the results view in the Explorer and clicks a chunk (the editor's cursor must
// move to the chunk's first line), and opens the status bar's menu (it must count the mark). The dark pass is a
// reload of the window: the mark must come back from the workspace state before anything else is done. One
// screenshot per step; fails (exit 1) when a step does not happen.
// usage: node drive-editor.js --server URL --folder DIR --file NAME --model DIR --settings USER_SETTINGS_JSON --out DIR
const fs = require('fs');
const path = require('path');
const { THEMES, main, parseArgs, withBrowser, workbenchUrl } = require('./browser');
const { check, expectTheme, loadWithSettings, openFile, palette, shot } = require('./browser');

const args = parseArgs(process.argv);
const url = workbenchUrl(new URL(args.server), args.folder);
const MARKED_LINE = 5;
// Line 5 of the GPL-3 text, the first of the licenses.
const MARKED_TEXT = 'Everyone is permitted to copy';
const RESULTS = '.pane:has(.pane-header[aria-label*="Longformer Lens Results"])';
// The extension's status bar item (its element id ends with the item's id), not another item that names it.
const STATUS = '.statusbar-item[id$="longformerLens.status"]';

/** No toast left on screen: progress finished, and the first result's message dismissed. */
async function calm(page) {
  await palette(page, 'Notifications: Clear All Notifications');
  await page.waitForFunction(() => document.querySelectorAll('.notifications-toasts .notification-toast').length === 0, null, {
    timeout: 30000,
  });
  await page.mouse.move(700, 5);
  await page.waitForTimeout(500);
}

async function activeLine(page) {
  return page.evaluate(() => document.querySelector('.monaco-editor .line-numbers.active-line-number')?.textContent?.trim() ?? '');
}

/** Hovers the marked line's text; the hover must say what the mark makes global and offer Unmark. */
async function markHover(page, theme, out) {
  await page.mouse.move(700, 5);
  // The editor renders only the lines in view (after a reload it keeps the earlier scroll position): go to the
  // marked line first, so its text is in the page.
  // A click in the editor's frame, which stays in the page (after a reload the scrolled lines' layer can start off it).
  await page
    .locator('.monaco-editor .overflow-guard')
    .first()
    .click({ position: { x: 120, y: 20 } });
  await page.keyboard.press('Control+G');
  await page.keyboard.type(String(MARKED_LINE));
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
  const text = page.locator('.monaco-editor .view-line', { hasText: MARKED_TEXT }).first();
  await text.waitFor({ timeout: 15000 });
  await text.scrollIntoViewIfNeeded();
  const box = await text.boundingBox();
  await page.mouse.move(box.x + 60, box.y + box.height / 2);
  const hover = page.locator('.monaco-hover:visible', { hasText: 'Global attention' }).first();
  await hover.waitFor({ timeout: 15000 });
  const said = (await hover.textContent()) ?? '';
  check(/tokens here attend to/.test(said) && /Unmark/.test(said), `the hover on the mark: ${said.slice(0, 160)}`);
  await shot(page, out, `mark-hover-${theme}.png`);
  await page.mouse.move(700, 5);
}

/** Clicks the status bar item and reads its menu; returns the labels, the menu still open. */
async function statusMenu(page) {
  await page.locator(STATUS).first().click();
  await page.waitForSelector('.quick-input-widget .monaco-list-row', { state: 'visible', timeout: 15000 });
  return page.locator('.quick-input-widget .monaco-list-row').allTextContents();
}

async function drive(page, theme, out, reloaded) {
  // The theme is a user setting written before the page loads.
  await loadWithSettings(page, url, args.settings, {
    'workbench.colorTheme': THEMES[theme],
    'longformerLens.classificationModel': path.resolve(args.model),
    'longformerLens.provider': 'cpu',
    'editor.minimap.enabled': false,
  });
  await expectTheme(page, theme);

  if (reloaded) {
    // The window was loaded again: it reopens the document, and the mark comes back from the workspace state.
    await page.waitForSelector(`.tabs-container .tab[aria-label*="${args.file}"]`, { timeout: 30000 });
    await page.waitForSelector(STATUS, { timeout: 60000 });
    await page.waitForTimeout(1500);
    const menu = await statusMenu(page);
    check(
      menu.some((label) => /Clear 1 Global-Attention Mark(?!s(?!imilar))/.test(label)),
      `after the reload the status bar's menu counts the restored mark: ${menu.join(' | ')}`,
    );
    await shot(page, out, `status-menu-after-reload-${theme}.png`);
    await page.keyboard.press('Escape');
    await markHover(page, theme, out);
  } else {
    await page.waitForTimeout(3000);
    // Only this document stays open: the reload must bring back a text editor, not a panel an earlier driver left.
    await palette(page, 'View: Close All Editors');
    await openFile(page, args.file);
    // Opening a text file activates the extension, whose first activation opens the walkthrough over the document.
    await page.waitForSelector(STATUS, { timeout: 60000 });
    await page.waitForTimeout(2000);
    if ((await page.locator('.tabs-container .tab.active', { hasText: 'Walkthrough' }).count()) > 0) {
      await palette(page, 'View: Close Editor');
      await openFile(page, args.file);
    }
    // Select one line and mark it, as a person does.
    await page.keyboard.press('Control+G');
    await page.keyboard.type(String(MARKED_LINE));
    await page.keyboard.press('Enter');
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await palette(page, 'Longformer Lens: Mark Selection as Global Attention');
    await page.waitForTimeout(1000);
    const menu = await statusMenu(page);
    check(
      menu.some((label) => /Clear 1 Global-Attention Mark(?!s(?!imilar))/.test(label)),
      `the status bar's menu counts the mark: ${menu.join(' | ')}`,
    );
    await page.keyboard.press('Escape');
    await markHover(page, theme, out);
  }

  await palette(page, 'Longformer Lens: Classify Document');
  await page.waitForSelector(`${STATUS}:has-text("· cpu")`, { timeout: 180000 });
  const FIRST_TOAST = '.notifications-toasts .notification-toast:has-text("Later results show in the status bar")';
  if (!reloaded) {
    // The window's first result comes with a notification; the next one only changes the status bar.
    await page.waitForSelector(FIRST_TOAST, { timeout: 15000 });
    console.log("  ok: the window's first result has a notification");
    await calm(page);
    await palette(page, 'Longformer Lens: Classify Document');
    await page.waitForSelector(`${STATUS} .codicon-loading`, { timeout: 30000 });
    await page.waitForSelector(`${STATUS}:has-text("· cpu")`, { timeout: 180000 });
    await page.waitForTimeout(1500);
    check((await page.locator(FIRST_TOAST).count()) === 0, 'a second classification has no notification, only the status bar');
  }
  await calm(page);

  // The results view in the Explorer: the heading, then one row per chunk.
  await palette(page, 'Focus on Longformer Lens Results View');
  await page.waitForSelector(`${RESULTS} .monaco-list-row`, { timeout: 30000 });
  const chunkRows = page.locator(`${RESULTS} .monaco-list-row[aria-level="2"]`);
  const listed = Number(await chunkRows.first().getAttribute('aria-setsize'));
  check(listed > 3, `the results view lists ${listed} chunks`);
  const heading = await page.locator(`${RESULTS} .monaco-list-row[aria-level="1"]`).first().textContent();
  check(/^Document: \w+ [\d.]+%/.test(heading ?? ''), `its heading gives the document's label and score: ${heading}`);
  const differing = await page.locator(`${RESULTS} .monaco-list-row[aria-level="2"] .codicon-warning`).count();
  console.log(`  ${differing} chunk rows in view carry the warning icon`);

  // A click on the fourth chunk moves the editor to its first line.
  const row = chunkRows.nth(3);
  const label = (await row.locator('.label-name').textContent()) ?? '';
  const first = /^Lines? (\d+)/.exec(label)?.[1];
  check(first !== undefined, `a chunk row names its lines: ${label}`);
  await row.click();
  await page.waitForFunction(
    (line) => document.querySelector('.monaco-editor .line-numbers.active-line-number')?.textContent?.trim() === line,
    first,
    {
      timeout: 15000,
    },
  );
  check((await activeLine(page)) === first, `a click on "${label}" puts the cursor on line ${first}`);
  // More rows in the picture: the folder's pane folds away.
  const folders = page.locator('.pane-header[aria-label*="Explorer Section"][aria-expanded="true"]');
  if ((await folders.count()) > 0) await folders.first().click();
  await page.mouse.move(700, 5);
  await page.waitForTimeout(800);
  await shot(page, out, `results-view-${theme}.png`);

  if (reloaded) {
    // The menu's Clear removes the mark, and the menu says so the next time it opens.
    await statusMenu(page);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Clear 1 Global-Attention Mark' }).click();
    await page.waitForTimeout(1000);
    const menu = await statusMenu(page);
    check(
      menu.some((label) => /No global-attention marks in this document/.test(label)),
      `Clear in the menu removed the mark: ${menu.join(' | ')}`,
    );
    await page.keyboard.press('Escape');
    // The drivers after this one find the Explorer's folder as it was.
    const folded = page.locator('.pane-header[aria-label*="Explorer Section"][aria-expanded="false"]');
    if ((await folded.count()) > 0) await folded.first().click();
    await page.waitForTimeout(500);
  }
}

main(async () => {
  const out = path.resolve(args.out);
  // The drivers that run next expect the user settings as they were.
  const settingsBefore = fs.readFileSync(args.settings, 'utf8');
  try {
    await withBrowser({ width: 1600, height: 900 }, path.join(out, 'editor-failure.png'), async (page) => {
      for (const [i, theme] of Object.keys(THEMES).entries()) {
        console.log(`editor in the ${theme} theme${i > 0 ? ', after a reload' : ''}`);
        await drive(page, theme, out, i > 0);
      }
    });
  } finally {
    fs.writeFileSync(args.settings, settingsBefore);
  }
  console.log(`editor screenshots in ${out}`);
});
