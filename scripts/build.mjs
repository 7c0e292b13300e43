// One esbuild bundle per entry point; `vscode`, the native onnxruntime binding and onnxruntime-common (the one
// registry of backends both runtimes share) stay external. onnxruntime-web is bundled, and the two files its
// WebAssembly build loads at run time are copied beside the bundles (dist/ort-wasm, src/core/runtime/ort-runtime.ts). The overlay's
// webview script is bundled from src/webview into media/overlay.js (the panel loads nothing from outside media/).
// A build check keeps the extension bundle free of the native runtime and the hub HTTP stack (thin-extension.mjs).
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { checkThinExtension } from './thin-extension.mjs';

const entryPoints = {
  extension: 'src/extension/main.ts',
  worker: 'src/worker/main.ts',
  cli: 'src/cli/main.ts',
  // What bin/longformer-lens.js loads first: small, so that starting the command again (on Linux) costs little.
  launch: 'src/cli/launch.ts',
};

const result = await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['vscode', 'onnxruntime-node', 'onnxruntime-common'],
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

// The names match WASM_FILES and WASM_FOLDER in src/core/runtime/ort-runtime.ts.
const require = createRequire(import.meta.url);
mkdirSync('dist/ort-wasm', { recursive: true });
for (const file of ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) {
  copyFileSync(require.resolve(`onnxruntime-web/${file}`), join('dist/ort-wasm', file));
}

const problems = checkThinExtension(result.metafile, 'dist/extension.js');
if (problems.length > 0) {
  console.error(`dist/extension.js must stay thin (inference and downloads run in the engine worker):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
