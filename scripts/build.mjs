// One esbuild bundle per entry point; `vscode` and the native onnxruntime binding stay external.
import { build } from 'esbuild';

const entryPoints = {
  extension: 'src/extension/main.ts',
  worker: 'src/worker/main.ts',
  cli: 'src/cli/main.ts',
};

await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['vscode', 'onnxruntime-node'],
  logLevel: 'warning',
});
