// Takes the first-run walkthrough's pictures in the real workbench, with the extension installed from the VSIX: each
// step's "do it" done the way a person does it (the command palette, the find widget), one screenshot per step plus
// the walkthrough page itself, in a light and then a dark theme, each in a browser on a fresh profile (so the
// walkthrough opens as on a first run). Fails (exit 1) when a step does not show what it should.
// usage: node drive-walkthrough.js --server URL --folder DIR --file NAME --cls DIR --qa DIR --settings USER_SETTINGS_JSON --out DIR
//        [--themes light,dark]   (both by default; the pictures go to DIR/light and DIR/dark)
const fs = require('fs');
const path = require('path');
const { THEMES, main, parseArgs, withBrowser, workbenchUrl } = require('./browser');
const { check, expectTheme, loadWithSettings, openFile, palette, shot } = require('./browser');

const args = parseArgs(process.argv);
const url = workbenchUrl(new URL(args.server), args.folder);
const TOAST = '.notifications-toasts .notification-toast';
const themes = (args.themes ?? 'light,dark').split(',');
for (const theme of themes) if (!(theme in THEMES)) throw new Error(`--themes ${args.themes}: light and/or dark`);

async function setSettings(page, values) {
  await loadWithSettings(page, url, args.settings, values);
  await page.waitForTimeout(3000);
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

/** Takes a step's picture only while its subject is on screen: fails when it is not, just before or just after. */
async function stepShot(page, out, name, subject, what) {
  const visible = () => page.locator(subject).first().isVisible();
  check(await visible(), `${what}, before ${path.basename(out)}/${name}`);
  await shot(page, out, name);
  check(await visible(), `${what}, after ${path.basename(out)}/${name}`);
}

/** The mouse off to the Explorer's empty space, so that no tooltip covers the picture. */
async function restMouse(page) {
  await page.mouse.move(150, 450);
  await page.waitForTimeout(800);
}

const PICKER_FOLDER_ROW = '.quick-input-widget .monaco-list-row:has-text("Use a checkpoint folder")';

/** Opens Choose Model at its model list; again when something takes the focus a moment later and it closes. */
async function openModelPicker(page) {
  for (let attempt = 1; ; attempt += 1) {
    await palette(page, 'Longformer Lens: Choose Model');
    // The picker first asks which task the model is for.
    await page.waitForSelector('.quick-input-widget .monaco-list-row:has-text("Classification")', { timeout: 15000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector(PICKER_FOLDER_ROW, { timeout: 15000 });
    await page.waitForTimeout(1500);
    if (await page.locator(PICKER_FOLDER_ROW).first().isVisible()) return;
    if (attempt === 3) throw new Error('the model picker closed by itself three times');
    console.log(`  (the model picker closed by itself, attempt ${attempt}; again) ${active}`);
  }
}

async function drive(page, themeName, out) {
  await setSettings(page, {
    'workbench.colorTheme': THEMES[themeName],
    'longformerLens.modelPath': '',
    'longformerLens.provider': 'cpu',
    'editor.wordWrap': 'on',
    'editor.minimap.enabled': false,
  });
  await expectTheme(page, themeName);

  // The walkthrough, as the first activation opens it.
  await palette(page, 'Longformer Lens: Open Walkthrough');
  await page.waitForSelector('.gettingStartedContainer :text("Get started with Longformer Lens")', { timeout: 30000 });
  await page.waitForTimeout(1500);
  await stepShot(page, out, 'walkthrough.png', '.gettingStartedContainer :text("Choose a model")', 'the walkthrough lists its steps');

  // 1. Choose a model: the picker offers the registry's checkpoints and a folder. Over the document, not the
  // walkthrough: the walkthrough's page takes the focus back a moment after the picker opens, and that closes it.
  await palette(page, 'View: Close All Editors');
  await openFile(page, args.file);
  await openModelPicker(page);
  await restMouse(page);
  await stepShot(page, out, '1-choose-model.png', PICKER_FOLDER_ROW, 'the model picker is open');
  await page.keyboard.press('Escape');

  // Without a model the first command offers the walkthrough's model step.
  // A second pass (the other theme) finds the first one's mark restored on the document; the pictures start clean.
  await palette(page, 'Longformer Lens: Clear Global Attention Marks');
  await page.waitForTimeout(1000);
  await palette(page, 'Notifications: Clear All Notifications');
  await page.waitForTimeout(500);
  await palette(page, 'Longformer Lens: Classify Document');
  await page.waitForSelector(`${TOAST}:has-text("needs a model first")`, { timeout: 30000 });
  await page.waitForTimeout(500);
  await stepShot(page, out, 'no-model.png', `${TOAST}:has-text("needs a model first")`, 'the notification offers the model step');

  await setSettings(page, { 'longformerLens.modelPath': path.resolve(args.cls) });
  await openFile(page, args.file);

  // 2. Classify: the labels' probabilities come back in a notification.
  await palette(page, 'Longformer Lens: Classify Document');
  await page.waitForSelector(`${TOAST}:has-text("neutral")`, { timeout: 120000 });
  await page.waitForTimeout(500);
  await stepShot(page, out, '2-classify.png', `${TOAST}:has-text("neutral")`, "the labels' probabilities are in a notification");
  await page.keyboard.press('Escape');

  // 3. Ask a question (with a question-answering model): the best answer is highlighted, the others listed.
  await setSettings(page, { 'longformerLens.modelPath': path.resolve(args.qa) });
  await openFile(page, args.file);
  await palette(page, 'Longformer Lens: Ask a Question About This Document');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type('How many hectares were replanted?');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.quick-input-widget .quick-input-title:has-text("answers")', { timeout: 120000 });
  await calm(page);
  await restMouse(page);
  await stepShot(page, out, '3-ask.png', '.quick-input-widget .quick-input-title:has-text("answers")', 'the answers are listed');
  await page.keyboard.press('Escape');

  // 4. Mark a global span: find the phrase, mark the selection, and see it decorated.
  await setSettings(page, { 'longformerLens.modelPath': path.resolve(args.cls) });
  await openFile(page, args.file);
  // From the top (the editor reopens where the last answer left it), the find widget's first match is in line 5 and
  // Enter takes the next: the phrase that begins line 21.
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('Control+F');
  await page.keyboard.type('reed canary grass');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await palette(page, 'Longformer Lens: Mark Selection as Global Attention');
  await page.waitForTimeout(1000);
  await page.keyboard.press('ArrowRight');
  // The mark is an underline; its hover says what it does, so the picture shows it.
  const marked = page.locator('.monaco-editor .view-line', { hasText: 'Reed canary grass was treated' }).first();
  const box = await marked.boundingBox();
  await page.mouse.move(box.x + 40, box.y + box.height / 2);
  const hover = '.monaco-hover:visible:has-text("Global attention")';
  await page.waitForSelector(hover, { timeout: 15000 });
  await page.waitForTimeout(500);
  await stepShot(page, out, '4-mark-global.png', hover, "the mark's hover shows");

  // 5. The attention overlay beside the document.
  await page.mouse.move(700, 5);
  await palette(page, 'Longformer Lens: Show Attention Overlay');
  await page.waitForFunction(() => document.querySelectorAll('iframe').length > 0, null, { timeout: 60000 });
  await page.waitForTimeout(6000);
  await calm(page);
  await stepShot(page, out, '5-overlay.png', '.tabs-container .tab.active[aria-label*="Attention"]', 'the overlay is the active tab');
}

main(async () => {
  // The drivers that run next expect the user settings as they were.
  const settingsBefore = fs.readFileSync(args.settings, 'utf8');
  try {
    for (const themeName of themes) {
      console.log(`walkthrough in the ${themeName} theme`);
      const out = path.resolve(args.out, themeName);
      fs.mkdirSync(out, { recursive: true });
      await withBrowser({ width: 1600, height: 900 }, path.join(out, 'failure.png'), (page) => drive(page, themeName, out));
    }
  } finally {
    fs.writeFileSync(args.settings, settingsBefore);
  }
});
