// The same e2e suite in desktop VS Code through @vscode/test-electron: installs the VSIX with the VS Code CLI into
// fresh extensions and user-data folders, then runs the suite. VS Code runs a test module only beside a development
// folder, so the suite's own folder (no extension in it) is named; the installed copy is the one that runs.
// The executable comes from LENS_E2E_VSCODE, else test-electron downloads the current stable build.
// usage: node run-electron.js --vsix FILE --tests FILE --folder DIR --state DIR
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath, runTests } = require('@vscode/test-electron');

(async () => {
  const args = {};
  for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
  const executable = process.env.LENS_E2E_VSCODE || (await downloadAndUnzipVSCode('stable'));
  const extensionsDir = path.join(args.state, 'extensions');
  const userDataDir = path.join(args.state, 'user-data');
  fs.mkdirSync(extensionsDir, { recursive: true });
  const [cli] = resolveCliArgsFromVSCodeExecutablePath(executable, { reuseMachineInstall: true });
  const install = spawnSync(
    cli,
    ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', path.resolve(args.vsix)],
    { stdio: 'inherit', shell: process.platform === 'win32' },
  );
  if (install.status !== 0) throw new Error(`${cli} --install-extension failed (${install.status ?? install.signal})`);
  const tests = path.resolve(args.tests);
  await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: path.dirname(tests),
    extensionTestsPath: tests,
    launchArgs: [path.resolve(args.folder), '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--disable-workspace-trust'],
    extensionTestsEnv: { LENS_E2E_EXTENSIONS_DIR: extensionsDir },
  });
  console.log('[run-electron] the suite passed in desktop VS Code');
})().catch((error) => {
  console.error(`[run-electron] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
