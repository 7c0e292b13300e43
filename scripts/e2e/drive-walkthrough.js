// Takes the first-run walkthrough's pictures in the real workbench, with the extension installed from the VSIX:
// each step's "do it" done the way a person does it (the command palette, the find widget), one screenshot per step,
// plus the walkthrough page itself. Fails (exit 1) when a step does not show what it should.
// usage: node drive-walkthrough.js --server URL --folder DIR --file NAME --cls DIR --qa DIR --settings USER_SETTINGS_JSON --out DIR
//        [--theme light|dark]   (light by default; the walkthrough and the README show both)
const fs = require('fs');
const path = require('path');
const { launchBrowser, parseArgs } = require('./browser');

const args = parseArgs(process.argv);
const server = new URL(args.server);
const url = `${server.origin}/?folder=${encodeURIComponent(path.resolve(args.folder))}`;
const TOAST = '.notifications-toasts .notification-toast';
const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern' };
const theme = args.theme ?? 'light';
if (!(theme in THEMES)) throw new Error(`--theme ${theme}: light or dark`);

/** Writes user settings, then loads the workbench again so that they apply (an external edit of settings.json
 * is not reliably picked up by a running code-server window). */
async function setSettings(page, values) {
  const settings = JSON.parse(fs.readFileSync(args.settings, 'utf8'));
  fs.writeFileSync(args.settings, JSON.stringify({ ...settings, ...values }, null, 2));
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
  await page.waitForTimeout(3000);
}

async function openFile(page) {
  await page.keyboard.press('Control+P');
  await page.keyboard.type(args.file);
  await page.waitForSelector(`.quick-input-widget .monaco-list-row:has-text("${args.file}")`, { timeout: 30000 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30000 });
  await page.waitForTimeout(1000);
}

/** Runs a command from the palette; retries while the installed extension is still being registered. */
async function palette(page, command) {
  const row = `.quick-input-widget .monaco-list-row:has-text("${command}")`;
  for (let attempt = 0; ; attempt += 1) {
    await page.keyboard.press('F1');
    await page.waitForSelector('.quick-input-widget', { state: 'visible' });
    await page.keyboard.type(command);
    try {
      await page.waitForSelector(row, { timeout: 3000 });
      break;
    } catch (error) {
      if (attempt === 10) throw error;
      await page.keyboard.press('Escape');
    }
  }
  await page.locator(row).first().click();
}

/** Waits for the work to finish: no progress notification left. */
async function calm(page) {
  await page.waitForFunction(
    (selector) => ![...document.querySelectorAll(selector)].some((toast) => toast.querySelector('.monaco-progress-container.active')),
    TOAST,
    { timeout: 120000 },
  );
  await page.waitForTimeout(500);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(args.out, name) });
  console.log(`  saved ${name}`);
}

async function drive(page) {
  await setSettings(page, {
    'workbench.colorTheme': THEMES[theme],
    'longformerLens.modelPath': '',
    'longformerLens.provider': 'cpu',
    'editor.wordWrap': 'on',
    'editor.minimap.enabled': false,
  });

  // The walkthrough, as the first activation opens it.
  await palette(page, 'Longformer Lens: Open Walkthrough');
  await page.waitForSelector('.gettingStartedContainer :text("Get started with Longformer Lens")', { timeout: 30000 });
  await page.waitForTimeout(1500);
  await shot(page, 'walkthrough.png');

  // 1. Choose a model: the picker offers the registry's checkpoints and a folder.
  await palette(page, 'Longformer Lens: Choose Model');
  // The picker first asks which task the model is for.
  await page.waitForSelector('.quick-input-widget .monaco-list-row:has-text("Classification")', { timeout: 15000 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('.quick-input-widget .monaco-list-row:has-text("Use a checkpoint folder")', { timeout: 15000 });
  await page.waitForTimeout(500);
  await shot(page, '1-choose-model.png');
  await page.keyboard.press('Escape');

  // Without a model the first command offers the walkthrough's model step.
  await openFile(page);
  // A second pass (the other theme) finds the first one's mark restored on the document; the pictures start clean.
  await palette(page, 'Longformer Lens: Clear Global Attention Marks');
  await page.waitForTimeout(1000);
  await palette(page, 'Notifications: Clear All Notifications');
  await page.waitForTimeout(500);
  await palette(page, 'Longformer Lens: Classify Document');
  await page.waitForSelector(`${TOAST}:has-text("needs a model first")`, { timeout: 30000 });
  await page.waitForTimeout(500);
  await shot(page, 'no-model.png');

  await setSettings(page, { 'longformerLens.modelPath': path.resolve(args.cls) });
  await openFile(page);

  // 2. Classify: the labels' probabilities come back in a notification.
  await palette(page, 'Longformer Lens: Classify Document');
  await page.waitForSelector(`${TOAST}:has-text("neutral")`, { timeout: 120000 });
  await page.waitForTimeout(500);
  await shot(page, '2-classify.png');
  await page.keyboard.press('Escape');

  // 3. Ask a question (with a question-answering model): the best answer is highlighted, the others listed.
  await setSettings(page, { 'longformerLens.modelPath': path.resolve(args.qa) });
  await openFile(page);
  await palette(page, 'Longformer Lens: Ask a Question About This Document');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type('How many hectares were replanted?');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.quick-input-widget .quick-input-title:has-text("answers")', { timeout: 120000 });
  await calm(page);
  await shot(page, '3-ask.png');
  await page.keyboard.press('Escape');

  // 4. Mark a global span: find the phrase, mark the selection, and see it decorated.
  await setSettings(page, { 'longformerLens.modelPath': path.resolve(args.cls) });
  await openFile(page);
  await page.keyboard.press('Control+F');
  await page.keyboard.type('reed canary grass');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await palette(page, 'Longformer Lens: Mark Selection as Global Attention');
  await page.waitForTimeout(1000);
  await page.keyboard.press('ArrowRight');
  await shot(page, '4-mark-global.png');

  // 5. The attention overlay (the in-editor heatmap where this build has no overlay).
  await page.keyboard.press('F1');
  await page.keyboard.type('Longformer Lens: Show Attention Overlay');
  const hasOverlay = await page
    .waitForSelector('.quick-input-widget .monaco-list-row:has-text("Show Attention Overlay")', { timeout: 3000 })
    .then(() => true)
    .catch(() => false);
  await page.keyboard.press('Escape');
  if (hasOverlay) {
    await palette(page, 'Longformer Lens: Show Attention Overlay');
    await page.waitForFunction(() => document.querySelectorAll('iframe').length > 0, null, { timeout: 60000 });
    await page.waitForTimeout(6000);
  } else {
    await palette(page, 'Longformer Lens: Show Attention Heatmap');
    await page.waitForSelector('.quick-input-widget .monaco-list-row', { state: 'visible' });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1000);
  }
  await calm(page);
  await shot(page, '5-overlay.png');
}

(async () => {
  fs.mkdirSync(args.out, { recursive: true });
  const { page, close } = await launchBrowser({ viewport: { width: 1600, height: 900 } });
  try {
    await drive(page);
  } catch (error) {
    await page.screenshot({ path: path.join(args.out, 'failure.png') }).catch(() => {});
    throw error;
  } finally {
    await close();
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
