// The check scripts/package.mjs runs on every VSIX it writes: only the target's own onnxruntime binaries, no
// development files, and the entry points the extension host needs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkEntries, checkManifest, manifestForTarget } from '../../../scripts/package.mjs';

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

  it('accepts a darwin-x64 package with the WebAssembly runtime and no native file', () => {
    const common = shipped.filter((name) => !name.startsWith(ORT));
    const wasm = ['extension/dist/ort-wasm/ort-wasm-simd-threaded.mjs', 'extension/dist/ort-wasm/ort-wasm-simd-threaded.wasm'];
    assert.deepEqual(checkEntries('darwin-x64', [...common, ...wasm]), []);
    assert.deepEqual(checkEntries('darwin-x64', [...common, wasm[0] as string]), [
      'missing extension/dist/ort-wasm/ort-wasm-simd-threaded.wasm',
    ]);
    assert.deepEqual(checkEntries('darwin-x64', [...common, ...wasm, `${ORT}/darwin/arm64/onnxruntime_binding.node`]), [
      `a native binary in a WebAssembly package: ${ORT}/darwin/arm64/onnxruntime_binding.node`,
    ]);
    assert.deepEqual(checkEntries('linux-x64', [...shipped, wasm[1] as string]), [
      'the WebAssembly runtime in a native package: extension/dist/ort-wasm/ort-wasm-simd-threaded.wasm',
    ]);
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

describe("a VSIX's provider setting", () => {
  const manifestText = readFileSync('package.json', 'utf8');
  const provider = (target: string): { enum: string[]; enumDescriptions: string[] } => {
    const manifest = JSON.parse(manifestForTarget(manifestText, target)) as {
      contributes: { configuration: { properties: Record<string, { enum: string[]; enumDescriptions: string[] }> } };
    };
    return manifest.contributes.configuration.properties['longformerLens.provider']!;
  };

  it("lists only the target's providers, each with its own description", () => {
    const all = provider('linux-x64');
    assert.deepEqual(all.enum, ['auto', 'cpu', 'cuda', 'webgpu']);
    assert.deepEqual(provider('win32-x64').enum, ['auto', 'cpu', 'dml']);
    assert.deepEqual(provider('darwin-arm64').enum, ['auto', 'cpu', 'coreml']);
    assert.deepEqual(provider('darwin-x64').enum, ['auto', 'cpu', 'wasm']);
    assert.deepEqual(provider('linux-arm64').enum, ['auto', 'cpu']);
    const windows = provider('win32-arm64');
    assert.match(windows.enumDescriptions[2] ?? '', /^DirectML/);
    assert.equal(windows.enumDescriptions.length, windows.enum.length);
  });

  it('changes nothing else in package.json', () => {
    const original = JSON.parse(manifestText) as Record<string, unknown>;
    const narrowed = JSON.parse(manifestForTarget(manifestText, 'linux-arm64')) as Record<string, unknown>;
    const withoutProvider = (manifest: Record<string, unknown>): string =>
      JSON.stringify(manifest, (key, value: unknown) => (key === 'longformerLens.provider' ? undefined : value));
    assert.equal(withoutProvider(narrowed), withoutProvider(original));
  });

  it("names a packaged manifest that lists another platform's providers", () => {
    assert.deepEqual(checkManifest('win32-x64', JSON.parse(manifestForTarget(manifestText, 'win32-x64'))), []);
    assert.deepEqual(checkManifest('win32-x64', JSON.parse(manifestText)), [
      'the provider setting lists auto, cpu, cuda, dml, coreml, webgpu, wasm; win32-x64 runs auto, cpu, dml',
    ]);
  });
});
