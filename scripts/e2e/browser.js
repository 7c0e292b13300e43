// What the e2e drivers share: their command-line flags, a headless Debian Chromium on a fresh profile with the flags
// that keep it from reaching for the network (this machine reaches none), the workbench's address and themes, and the
// steps every driver takes the way a person does (the palette, Quick Open, settings, a screenshot).
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

/** The themes the pictures are taken in, by the name the drivers give them. */
const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern' };

function parseArgs(argv) {
  const args = {};
  for (let i = 2; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  return args;
}

/** The workbench on a folder: the installed extension runs, or with `dev` the extension in that folder. */
function workbenchUrl(server, folder, dev) {
  const base = `${server.origin}/?folder=${encodeURIComponent(path.resolve(folder))}`;
  if (!dev) return base;
  const payload = [['extensionDevelopmentPath', `vscode-remote://${server.host}${path.resolve(dev)}`]];
  return `${base}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

async function launchBrowser(options = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'lens-e2e-chrome-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: options.executablePath || '/usr/bin/chromium',
    headless: true,
    ...(options.viewport ? { viewport: options.viewport } : {}),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] || (await context.newPage());
  const close = async () => {
    await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { page, close };
}

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  console.log(`  ok: ${what}`);
}

/**
 * Merges `values` into the user settings file, then loads the workbench again so that they apply: a running window
 * does not reliably pick up an external edit of settings.json.
 */
async function loadWithSettings(page, url, settingsFile, values) {
  const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
  fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, ...values }, null, 2));
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
}

/** Fails unless the workbench shows `theme` (light or dark); it paints its cached theme first, the configured one after. */
async function expectTheme(page, theme) {
  const themeClass = theme === 'dark' ? 'vs-dark' : 'vs';
  await page.waitForSelector(`.monaco-workbench.${themeClass}`, { timeout: 30000 }).catch(() => {});
  const classes = await page.evaluate(() => document.querySelector('.monaco-workbench')?.className ?? '');
  check(classes.split(' ').includes(themeClass), `the workbench is in the ${theme} theme (${THEMES[theme]}): ${classes}`);
}

/**
 * Runs a command from the palette. Tries again while the installed extension is still registering its commands, and
 * when something that opens as the palette does (a tab the extension opens) takes the focus and closes it, before or
 * after its row shows.
 */
async function palette(page, command, { attempts = 11, wait = 3000 } = {}) {
  const row = `.quick-input-widget .monaco-list-row:has-text("${command}")`;
  for (let attempt = 1; ; attempt += 1) {
    await page.keyboard.press('F1');
    const opened = await page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: 5000 }).then(
      () => true,
      () => false,
    );
    if (!opened) {
      // A webview (the walkthrough's picture, the overlay) had the keyboard and kept F1: give the focus back.
      if (attempt === attempts) throw new Error(`F1 did not open the command palette for "${command}"`);
      await page.evaluate(() => document.activeElement?.blur());
      continue;
    }
    await page.keyboard.type(command);
    try {
      await page.waitForSelector(row, { timeout: wait });
      // The palette can still close between showing the row and the click (the walkthrough that the first activation
      // opens takes the focus): then the row is hidden, and the whole attempt starts again.
      await page.locator(row).first().click({ timeout: wait });
      return;
    } catch (error) {
      if (attempt === attempts) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

/** Opens a workspace file with Quick Open, as a person does, and waits for its editor. */
async function openFile(page, file) {
  await page.keyboard.press('Control+P');
  await page.keyboard.type(file);
  // The file search answers after a moment; Enter before the row is there opens nothing.
  await page.waitForSelector(`.quick-input-widget .monaco-list-row:has-text("${file}")`, { timeout: 30000 });
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.tabs-container .tab.active[aria-label*="${file}"]`, { timeout: 30000 });
  await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30000 });
  await page.waitForTimeout(1000);
}

async function shot(page, dir, name) {
  await page.screenshot({ path: path.join(dir, name) });
  console.log(`  saved ${path.join(path.basename(dir), name)}`);
}

/** Runs `drive(page)` in a browser on a fresh profile; when it throws, saves what the page showed then as `failureShot`
 * (it says more than a timeout does). */
async function withBrowser(viewport, failureShot, drive) {
  fs.mkdirSync(path.dirname(failureShot), { recursive: true });
  const { page, close } = await launchBrowser({ viewport });
  try {
    await drive(page);
  } catch (error) {
    await page.screenshot({ path: failureShot }).catch(() => {});
    throw error;
  } finally {
    await close();
  }
}

/** A driver's entry point: exit code 1 and the error when `run` fails. */
function main(run) {
  run().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

module.exports = {
  THEMES,
  parseArgs,
  workbenchUrl,
  launchBrowser,
  withBrowser,
  main,
  check,
  loadWithSettings,
  expectTheme,
  palette,
  openFile,
  shot,
};
