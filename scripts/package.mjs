// Writes one VSIX per platform into release/ with @vscode/vsce `package --target`, each holding only its own
// onnxruntime-node binaries and a provider setting that lists only its own providers, then opens every VSIX and
// checks what it holds and how big it is. darwin-x64, for which onnxruntime-node 1.30.0 ships no binding, holds
// onnxruntime-web's WebAssembly build instead (dist/ort-wasm, see src/core/runtime/ort-runtime.ts) and no native file.
// usage: node scripts/package.mjs [--target linux-x64]...   (default: every target)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yauzl from 'yauzl';

const require = createRequire(import.meta.url);
const ORT_BIN = 'node_modules/onnxruntime-node/bin/napi-v6';
// scripts/build.mjs copies onnxruntime-web's two run-time files here (WASM_FOLDER and WASM_FILES in ort-runtime.ts).
const WASM_DIR = 'dist/ort-wasm';
const WASM_FILES = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];
export const RELEASE_DIR = 'release';

// VS Code target -> onnxruntime-node's binary folder (or the WebAssembly runtime), and the most the VSIX may weigh.
// The limits sit 10 to 15 % above the 0.1.0 sizes (19.1, 11.9, 5.4, 26.9, 29.5 and 30.6 MiB; onnxruntime's binaries
// are nearly all of it; the walkthrough's pictures, light and dark, 1.1 MiB), so a stray folder fails the build.
// `providers`: what the target's VSIX can run (src/core/runtime/providers.ts). `wasm`, onnxruntime-web's WebAssembly
// build, is all darwin-x64 has (where `cpu` means it too); only that package ships its files, so the native packages
// do not offer it. The provider setting in each VSIX lists only these and `auto`, so the Settings editor offers
// nothing the package lacks.
const TARGETS = {
  'linux-x64': { ort: 'linux/x64', limitMiB: 21, providers: ['cpu', 'cuda', 'webgpu'] },
  'linux-arm64': { ort: 'linux/arm64', limitMiB: 13, providers: ['cpu'] },
  'darwin-x64': { wasm: true, limitMiB: 6, providers: ['cpu', 'wasm'] },
  'darwin-arm64': { ort: 'darwin/arm64', limitMiB: 30, providers: ['cpu', 'coreml'] },
  'win32-x64': { ort: 'win32/x64', limitMiB: 33, providers: ['cpu', 'dml'] },
  'win32-arm64': { ort: 'win32/arm64', limitMiB: 34, providers: ['cpu', 'dml'] },
};
const PROVIDER_SETTING = 'longformerLens.provider';

/** package.json's text for a target's VSIX: the provider setting's enum (and its descriptions) narrowed to the target's. */
export function manifestForTarget(manifestText, target) {
  const manifest = JSON.parse(manifestText);
  const setting = manifest.contributes.configuration.properties[PROVIDER_SETTING];
  const kept = setting.enum
    .map((value, i) => [value, setting.enumDescriptions[i]])
    .filter(([value]) => value === 'auto' || TARGETS[target].providers.includes(value));
  setting.enum = kept.map(([value]) => value);
  setting.enumDescriptions = kept.map(([, description]) => description);
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** What is wrong with the package.json inside a target's VSIX (empty when it lists exactly the target's providers). */
export function checkManifest(target, manifest) {
  const listed = manifest.contributes?.configuration?.properties?.[PROVIDER_SETTING]?.enum ?? [];
  const expected = ['auto', ...TARGETS[target].providers];
  const same = listed.length === expected.length && expected.every((value) => listed.includes(value));
  return same ? [] : [`the provider setting lists ${listed.join(', ')}; ${target} runs ${expected.join(', ')}`];
}

function argTargets(argv) {
  const chosen = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '--target') throw new Error(`unknown argument ${argv[i]}; usage: package.mjs [--target T]...`);
    const target = argv[++i];
    if (!(target in TARGETS)) throw new Error(`unknown target ${target}; one of ${Object.keys(TARGETS).join(', ')}`);
    chosen.push(target);
  }
  return chosen.length > 0 ? chosen : Object.keys(TARGETS);
}

function vsixEntries(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const names = [];
      zip.on('entry', (entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

function vsixManifest(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      zip.on('entry', (entry) => {
        if (entry.fileName !== 'extension/package.json') return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const chunks = [];
          stream.on('data', (chunk) => chunks.push(chunk));
          stream.on('end', () => {
            zip.close();
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve({}));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** What a VSIX for `target` must hold and must not: the problems found, empty when it is right. */
export function checkEntries(target, names) {
  const problems = [];
  const ortPrefix = `extension/${ORT_BIN}/`;
  const wasmPrefix = `extension/${WASM_DIR}/`;
  const { ort, wasm = false } = TARGETS[target];
  if (wasm) {
    for (const file of WASM_FILES) if (!names.includes(`${wasmPrefix}${file}`)) problems.push(`missing ${wasmPrefix}${file}`);
  } else {
    const own = `${ortPrefix}${ort}/`;
    if (!names.some((name) => name.startsWith(own) && name.endsWith('onnxruntime_binding.node'))) {
      problems.push(`no onnxruntime binding under ${own}`);
    }
  }
  for (const name of names) {
    if (wasm && (name.startsWith(ortPrefix) || name.endsWith('.node'))) problems.push(`a native binary in a WebAssembly package: ${name}`);
    if (!wasm && name.startsWith(ortPrefix) && !name.startsWith(`${ortPrefix}${ort}/`)) problems.push(`another platform's binary: ${name}`);
    if (!wasm && name.startsWith(wasmPrefix)) problems.push(`the WebAssembly runtime in a native package: ${name}`);
    if (/^extension\/(src|test|bench|scripts)\//.test(name) || name.endsWith('.map') || name.endsWith('.ts')) {
      problems.push(`a development file: ${name}`);
    }
  }
  for (const needed of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/worker.js']) {
    if (!names.includes(needed)) problems.push(`missing ${needed}`);
  }
  return problems;
}

async function main() {
  const targets = argTargets(process.argv.slice(2));
  const { name, version, repository } = JSON.parse(readFileSync('package.json', 'utf8'));
  const repositoryUrl = typeof repository === 'string' ? repository : repository?.url;
  if (typeof repositoryUrl === 'string' && /example\.(invalid|com|org)|localhost/.test(repositoryUrl)) {
    throw new Error(`package.json's repository ${repositoryUrl} is a placeholder: set the real URL or remove the field`);
  }
  const vsce = join(require.resolve('@vscode/vsce/package.json'), '..', 'vsce');
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  mkdirSync(RELEASE_DIR, { recursive: true });
  const work = join(tmpdir(), `lens-package-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const rows = [];
  let failed = false;
  // vsce reads ./package.json: each target's narrowed manifest is written there while its VSIX is made, and the
  // original is put back afterwards, also when the run is interrupted.
  const manifestText = readFileSync('package.json', 'utf8');
  const restoreManifest = () => writeFileSync('package.json', manifestText);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      restoreManifest();
      process.exit(1);
    });
  }
  try {
    for (const target of targets) {
      const { ort, wasm = false, limitMiB } = TARGETS[target];
      const out = join(RELEASE_DIR, `${name}-${version}-${target}.vsix`);
      rmSync(out, { force: true });
      const runtime = wasm ? `${WASM_DIR}/**` : `${ORT_BIN}/${ort}/**`;
      const ignoreFile = join(work, `${target}.vscodeignore`);
      writeFileSync(ignoreFile, `${readFileSync('.vscodeignore', 'utf8')}\n!${runtime}\n`);
      // The project has no public repository yet, so package.json names none rather than a made-up one:
      // --allow-missing-repository says so to vsce, and --no-rewrite-relative-links keeps the README's pictures as
      // relative links (vsce would point them at the repository). With a real URL in package.json, drop both.
      const flags = [
        '--target',
        target,
        '--ignoreFile',
        ignoreFile,
        '--allow-missing-repository',
        '--no-rewrite-relative-links',
        '--out',
        out,
      ];
      writeFileSync('package.json', manifestForTarget(manifestText, target));
      try {
        execFileSync(process.execPath, [vsce, 'package', ...flags], {
          stdio: ['ignore', 'ignore', 'inherit'],
        });
      } finally {
        restoreManifest();
      }
      const sizeMiB = statSync(out).size / 2 ** 20;
      const names = await vsixEntries(out);
      const problems = [...checkEntries(target, names), ...checkManifest(target, await vsixManifest(out))];
      if (sizeMiB > limitMiB) problems.push(`${sizeMiB.toFixed(1)} MiB is over the ${limitMiB} MiB limit`);
      failed ||= problems.length > 0;
      rows.push([target, `${sizeMiB.toFixed(1)} MiB`, `${limitMiB} MiB`, String(names.length), problems.join('; ') || out]);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const header = ['target', 'size', 'limit', 'files', 'result'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  for (const row of [header, ...rows])
    console.log(
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    );
  if (failed) {
    console.error('package: a VSIX is wrong or too big (see above)');
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(`package: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
