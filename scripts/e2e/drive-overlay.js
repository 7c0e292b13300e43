// Drives the attention overlay in the real workbench as a person does, in a light and a dark theme: opens a long
// document, runs "Show Attention Overlay" from the palette, reads the webview's CSP, switches mode, layer and head
// with its own select boxes, clicks a token (the editor's cursor must move), hovers one for the tooltip and window
// band, and saves a screenshot of each mode. Fails (exit 1) when a step does not happen.
// usage: node drive-overlay.js --server URL [--dev DIR] --folder DIR --file NAME --model DIR --settings USER_SETTINGS_JSON --out DIR
const fs = require('fs');
const path = require('path');
const { THEMES: THEME_NAMES, check, launchBrowser, parseArgs, workbenchUrl } = require('./browser');

const args = parseArgs(process.argv);
// Without --dev the installed extension (the VSIX) runs; with it, the working tree.
const url = workbenchUrl(new URL(args.server), args.folder, args.dev);
const THEMES = Object.entries(THEME_NAMES);

async function palette(page, command) {
  const row = `.quick-input-widget .monaco-list-row[aria-label*="${command.replace(/^.*?: /, '')}"]`;
  // Something that takes the focus as the palette opens (a tab the extension opens) closes it: open it again.
  for (let attempt = 1; ; attempt += 1) {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget', { state: 'visible' });
    await page.keyboard.type(command);
    try {
      await page.waitForSelector(row, { timeout: 10000 });
      break;
    } catch (error) {
      if (attempt === 4) throw error;
      console.log(`  (the palette lost "${command}", attempt ${attempt}; again)`);
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
}

/** The document's editor tab (not the overlay's, whose title names the document too). */
function fileTab(page) {
  return page.locator(`.tabs-container .tab[aria-label*="${args.file}"]:not([aria-label*="Attention"])`);
}

/**
 * Waits until the extension has activated (its status bar item shows), then closes the walkthrough that its first
 * activation in a browser profile opens (VS Code keeps extension state in the browser, and each run starts a fresh
 * profile): it would take the keyboard focus from the palette.
 */
async function settle(page) {
  await page.waitForSelector('.statusbar-item:has-text("Longformer Lens")', { timeout: 120000 });
  const walkthrough = page.locator('.tabs-container .tab[aria-label*="Walkthrough"]');
  await walkthrough
    .first()
    .waitFor({ timeout: 5000 })
    .catch(() => {});
  while ((await walkthrough.count()) > 0) {
    await walkthrough.first().hover();
    await walkthrough.first().locator('.codicon-close').click();
    await page.waitForTimeout(300);
  }
  await fileTab(page).first().click();
  await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30000 });
}

/** The overlay's document lives two iframes deep; find the frame that has its rows. */
async function overlayFrame(page) {
  for (let attempt = 0; attempt < 240; attempt += 1) {
    for (const frame of page.frames()) {
      if (await frame.$('#rows').catch(() => null)) return frame;
    }
    await page.waitForTimeout(250);
  }
  throw new Error('the overlay webview did not appear');
}

async function legendSays(frame, text) {
  await frame.waitForFunction((expected) => document.getElementById('legend')?.textContent.includes(expected), text, { timeout: 120000 });
}

/** Waits until no progress notification is left, so a screenshot shows the overlay, not a closing toast. */
async function calm(page) {
  await page.waitForFunction(() => document.querySelectorAll('.notifications-toasts .notification-toast').length === 0, null, {
    timeout: 30000,
  });
  await page.waitForTimeout(300);
}

async function activeLine(page) {
  return page.evaluate(() => document.querySelector('.monaco-editor .line-numbers.active-line-number')?.textContent ?? '');
}

async function drive(page, theme, themeName, out) {
  const settings = JSON.parse(fs.readFileSync(args.settings, 'utf8'));
  const ours = {
    'workbench.colorTheme': themeName,
    'longformerLens.modelPath': path.resolve(args.model),
    'longformerLens.provider': 'cpu',
  };
  fs.writeFileSync(args.settings, JSON.stringify({ ...settings, ...ours }, null, 2));
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
  await page.waitForTimeout(3000);
  if (theme !== THEMES[0][0]) {
    // The page was loaded again: the serializer brought the overlay back, waiting for a refresh.
    const restored = await overlayFrame(page);
    await restored.waitForSelector('#banner:not([hidden])', { timeout: 30000 });
    check(/Restored/.test(await restored.locator('#banner').textContent()), 'the overlay is restored after a reload');
  }
  // A reload restores the file's editor too; opening it again from Quick Open would put it in the overlay's group,
  // over the overlay.
  if ((await fileTab(page).count()) === 0) {
    await page.keyboard.press('Control+P');
    await page.keyboard.type(args.file);
    await page.waitForSelector(`.quick-input-widget .monaco-list-row:has-text("${args.file}")`, { timeout: 30000 });
    await page.keyboard.press('Enter');
  }
  // Opening the text file activates the extension, and its first activation opens the walkthrough over the file.
  await settle(page);

  await palette(page, 'Longformer Lens: Show Attention Overlay');
  const frame = await overlayFrame(page);
  await frame.waitForFunction(() => document.querySelectorAll('#rows .row').length > 0, null, { timeout: 120000 });
  await frame.selectOption('#mode', 'global');
  await frame.selectOption('#layer', 'mean');
  await frame.selectOption('#head', 'mean');
  await legendSays(frame, 'From the global tokens · mean of layers · mean of heads');
  await calm(page);
  const csp = await frame.evaluate(
    () => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '',
  );
  const scripts = await frame.evaluate(() =>
    [...document.scripts].map((script) => ({ nonce: script.nonce, src: script.src, inline: script.text.length })),
  );
  check(
    /default-src 'none'/.test(csp) && /script-src 'nonce-[^']{16,}'/.test(csp) && !/unsafe-inline/.test(csp),
    `CSP with a nonce (${theme}): ${csp}`,
  );
  // VS Code may add scripts of its own to the frame; ours is the one from media/, and it carries the CSP's nonce.
  const mine = scripts.filter((script) => /\/media\/overlay\.js/.test(script.src));
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  check(
    mine.length === 1 && mine[0].nonce === nonce && mine[0].inline === 0,
    `the script comes from media/ with the nonce (${JSON.stringify(scripts)})`,
  );
  const rows = await frame.locator('#rows .row').count();
  const spans = await frame.locator('#rows span.t').count();
  check(rows > 10 && rows < 200, `only the rows in view are in the DOM (${rows} rows, ${spans} token spans)`);

  // Hover the hottest token in view: tooltip with percent of max and rank, and the window band. (Which levels are in
  // view depends on the random-weight model: the document's hottest tokens can lie far below the first screen.)
  let hot;
  for (const level of [8, 7, 6, 5, 4, 3, 2, 1]) {
    const shaded = frame.locator(`#rows span.h${level}`);
    if ((await shaded.count()) > 0) {
      hot = shaded.first();
      break;
    }
  }
  check(hot !== undefined, 'tokens in view are shaded');
  await hot.hover();
  await frame.waitForSelector('#tooltip:not([hidden])');
  const tip = await frame.locator('#tooltip').textContent();
  check(/% of max · rank \d/.test(tip), `tooltip: ${tip}`);
  check((await frame.locator('#rows span.band').count()) > 1, 'the hovered token shows its window band');
  await page.screenshot({ path: path.join(out, `overlay-${theme}-global.png`) });

  await frame.selectOption('#mode', 'received');
  await legendSays(frame, 'Received by each token');
  await frame.selectOption('#layer', '1');
  await legendSays(frame, 'layer 1 · mean of heads');
  await frame.selectOption('#head', '0');
  await legendSays(frame, 'layer 1 · head 0');
  await frame.selectOption('#scale', 'log');
  await page.mouse.move(5, 5);
  await calm(page);
  await page.screenshot({ path: path.join(out, `overlay-${theme}-received-layer1-head0-log.png`) });
  await frame.selectOption('#scale', 'linear');
  await frame.selectOption('#layer', 'mean');
  await frame.selectOption('#head', 'mean');
  await legendSays(frame, 'mean of layers · mean of heads');

  // Click a token further down: the editor's cursor moves to it (the active line number of the editor changes; the
  // status bar hides Ln/Col while the webview has the focus).
  // No engine run in flight (the status line names the provider once a map is drawn).
  await frame.waitForFunction(() => document.getElementById('status')?.textContent.startsWith('on '), null, { timeout: 120000 });
  const before = await activeLine(page);
  // By its token index: the rows are drawn again on scroll, so a positional locator would find another token. A token
  // in view and far from the editor's cursor (after a reload the cursor is where the last pass clicked), so that the
  // click moves the cursor to another line.
  const index = await frame.evaluate(() => {
    const view = document.getElementById('scroller').getBoundingClientRect();
    const cursor = Number(document.querySelector('#rows span.cursor')?.dataset.t ?? -1);
    const inView = [...document.querySelectorAll('#rows span.t')].filter((span) => {
      const box = span.getBoundingClientRect();
      return box.top >= view.top + 40 && box.bottom <= view.bottom - 40 && span.textContent.trim().length > 2;
    });
    const far = inView.filter((span) => Math.abs(Number(span.dataset.t) - cursor) > 100);
    const pick = (far.length > 0 ? far : inView)[Math.floor((far.length > 0 ? far : inView).length / 2)];
    return pick.dataset.t;
  });
  const target = frame.locator(`#rows span[data-t="${index}"]`).first();
  await target.scrollIntoViewIfNeeded();
  const clicked = await target.textContent();
  await target.click();
  await page.waitForFunction(
    (line) => document.querySelector('.monaco-editor .line-numbers.active-line-number')?.textContent !== line,
    before,
    { timeout: 15000 },
  );
  const selected = await page.evaluate(() => document.querySelectorAll('.monaco-editor .selected-text').length);
  check(selected > 0, `a click on "${clicked}" selects it in the editor (active line ${before} -> ${await activeLine(page)})`);

  // That token becomes the source of mode 'token'.
  await frame.selectOption('#mode', 'token');
  await legendSays(frame, 'From the source token');
  await frame.waitForFunction((token) => document.querySelector('#rows span.source')?.dataset.t === token, index, { timeout: 120000 });
  const source = frame.locator('#rows span.source').first();
  check((await source.count()) === 1 && (await source.getAttribute('data-t')) === index, 'the clicked token is the outlined source');
  await calm(page);
  await source.hover();
  await frame.waitForSelector('#tooltip:not([hidden])');
  await page.screenshot({ path: path.join(out, `overlay-${theme}-token.png`) });

  // The same map as heat in the editor, with its legend in the status bar: the overlay's selection and cut-off.
  await fileTab(page).first().click();
  await palette(page, 'Longformer Lens: Toggle Attention Heat in Editor');
  const legendItem = page.locator('.statusbar-item:has-text("token · L mean · H mean · every token")');
  await legendItem.waitFor({ timeout: 60000 });
  await calm(page);
  await legendItem.hover();
  const hover = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: 'Attention heat' }).first();
  await hover.waitFor({ timeout: 15000 });
  const legendText = await hover.textContent();
  check(
    /From the source token/.test(legendText) && /level 8: /.test(legendText) && /Source token \(outlined\)/.test(legendText),
    `the heat legend: ${legendText}`,
  );
  await page.screenshot({ path: path.join(out, `heat-${theme}-token-legend.png`) });
  await page.mouse.move(5, 5);
}

(async () => {
  const out = path.resolve(args.out);
  fs.mkdirSync(out, { recursive: true });
  const { page, close } = await launchBrowser({ viewport: { width: 1600, height: 900 } });
  try {
    for (const [theme, themeName] of THEMES) {
      console.log(`overlay in the ${theme} theme`);
      await drive(page, theme, themeName, out);
    }
  } catch (error) {
    await page.screenshot({ path: path.join(out, 'overlay-failure.png') }).catch(() => {});
    throw error;
  } finally {
    await close();
  }
  console.log(`overlay screenshots in ${out}`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
