// What both e2e drivers share: their command-line flags, and a headless Debian Chromium on a fresh profile with the
// flags that keep it from reaching for the network (this machine reaches none).
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

function parseArgs(argv) {
  const args = {};
  for (let i = 2; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  return args;
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

module.exports = { parseArgs, launchBrowser };
