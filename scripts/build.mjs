// One esbuild bundle per entry point; `vscode` and the native onnxruntime binding stay external. The overlay's
// webview script is bundled from src/webview into media/overlay.js (the panel loads nothing from outside media/).
// A build check keeps the extension bundle free of the native runtime and the hub HTTP stack (thin-extension.mjs).
import { build } from 'esbuild';
import { checkThinExtension } from './thin-extension.mjs';

const entryPoints = {
  extension: 'src/extension/main.ts',
  worker: 'src/worker/main.ts',
  cli: 'src/cli/main.ts',
};

const result = await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['vscode', 'onnxruntime-node'],
  logLevel: 'warning',
  metafile: true,
});

await build({
  entryPoints: { overlay: 'src/webview/overlay.ts' },
  outdir: 'media',
  bundle: true,
  platform: 'browser',
  target: 'chrome114',
  format: 'iife',
  // No source map: the VSIX ships media/ as it is, and its packaging check refuses development files.
  sourcemap: false,
  logLevel: 'warning',
});

const problems = checkThinExtension(result.metafile, 'dist/extension.js');
if (problems.length > 0) {
  console.error(`dist/extension.js must stay thin (inference and downloads run in the engine worker):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
