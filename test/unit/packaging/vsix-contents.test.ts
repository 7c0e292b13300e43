// The check scripts/package.mjs runs on every VSIX it writes: only the target's own onnxruntime binaries, no
// development files, and the entry points the extension host needs.
import assert from 'node:assert/strict';
import { checkEntries } from '../../../scripts/package.mjs';

const ORT = 'extension/node_modules/onnxruntime-node/bin/napi-v6';
const shipped = [
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/dist/worker.js',
  'extension/node_modules/onnxruntime-node/dist/index.js',
  `${ORT}/linux/x64/onnxruntime_binding.node`,
  `${ORT}/linux/x64/libonnxruntime.so.1`,
];

describe('VSIX contents check', () => {
  it('accepts a linux-x64 package with only its own binaries', () => {
    assert.deepEqual(checkEntries('linux-x64', shipped), []);
  });

  it("names another platform's binary", () => {
    const problems = checkEntries('linux-x64', [...shipped, `${ORT}/darwin/arm64/libonnxruntime.1.dylib`]);
    assert.deepEqual(problems, [`another platform's binary: ${ORT}/darwin/arm64/libonnxruntime.1.dylib`]);
  });

  it('names a package for a target whose binding is missing', () => {
    assert.deepEqual(
      checkEntries(
        'win32-x64',
        shipped.filter((name) => !name.includes('/linux/')),
      ),
      [`no onnxruntime binding under ${ORT}/win32/x64/`],
    );
  });

  it('names sources, maps and missing entry points', () => {
    const problems = checkEntries('linux-x64', [
      ...shipped.filter((name) => name !== 'extension/dist/worker.js'),
      'extension/src/extension/main.ts',
      'extension/dist/extension.js.map',
    ]);
    assert.deepEqual(problems, [
      'a development file: extension/src/extension/main.ts',
      'a development file: extension/dist/extension.js.map',
      'missing extension/dist/worker.js',
    ]);
  });
});
