// Writes one VSIX per platform into release/ with @vscode/vsce `package --target`, each holding only its own
// onnxruntime-node binaries, then opens every VSIX and checks what it holds and how big it is.
// usage: node scripts/package.mjs [--target linux-x64]...   (default: every target)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yauzl from 'yauzl';

const require = createRequire(import.meta.url);
const ORT_BIN = 'node_modules/onnxruntime-node/bin/napi-v6';
export const RELEASE_DIR = 'release';

// VS Code target -> onnxruntime-node's binary folder, and the most the VSIX may weigh. The limits sit about 15 %
// above the 0.1.0 sizes (18.8, 11.6, 26.6, 29.2 and 30.3 MiB; onnxruntime's binaries are nearly all of it, the
// walkthrough's pictures 1.2 MiB), so a
// stray folder fails the build.
const TARGETS = {
  'linux-x64': { ort: 'linux/x64', limitMiB: 21 },
  'linux-arm64': { ort: 'linux/arm64', limitMiB: 13 },
  'darwin-x64': { ort: 'darwin/x64', limitMiB: 30 },
  'darwin-arm64': { ort: 'darwin/arm64', limitMiB: 30 },
  'win32-x64': { ort: 'win32/x64', limitMiB: 33 },
  'win32-arm64': { ort: 'win32/arm64', limitMiB: 34 },
};

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

/** What a VSIX for `target` must hold and must not: the problems found, empty when it is right. */
export function checkEntries(target, names) {
  const problems = [];
  const ortPrefix = `extension/${ORT_BIN}/`;
  const own = `${ortPrefix}${TARGETS[target].ort}/`;
  if (!names.some((name) => name.startsWith(own) && name.endsWith('onnxruntime_binding.node'))) {
    problems.push(`no onnxruntime binding under ${own}`);
  }
  for (const name of names) {
    if (name.startsWith(ortPrefix) && !name.startsWith(own)) problems.push(`another platform's binary: ${name}`);
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
  const { name, version } = JSON.parse(readFileSync('package.json', 'utf8'));
  const vsce = join(require.resolve('@vscode/vsce/package.json'), '..', 'vsce');
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  mkdirSync(RELEASE_DIR, { recursive: true });
  const work = join(tmpdir(), `lens-package-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const rows = [];
  let failed = false;
  try {
    for (const target of targets) {
      const { ort, limitMiB } = TARGETS[target];
      const out = join(RELEASE_DIR, `${name}-${version}-${target}.vsix`);
      rmSync(out, { force: true });
      let binding;
      try {
        binding = statSync(join(ORT_BIN, ort, 'onnxruntime_binding.node'));
      } catch {
        binding = undefined;
      }
      if (binding === undefined) {
        // onnxruntime-node 1.30.0 ships no darwin/x64 binding: a VSIX for Intel Macs could not run the engine, so
        // none is made, and VS Code there reports the extension as unavailable for the platform.
        rows.push([target, '-', `${limitMiB} MiB`, '-', `not built: onnxruntime-node has no ${ort} binding`]);
        continue;
      }
      const ignoreFile = join(work, `${target}.vscodeignore`);
      writeFileSync(ignoreFile, `${readFileSync('.vscodeignore', 'utf8')}\n!${ORT_BIN}/${ort}/**\n`);
      // --no-rewrite-relative-links: the README's pictures are relative links, and vsce would point them at the
      // repository, which has no public URL yet (without the flag it refuses to package).
      const flags = ['--target', target, '--ignoreFile', ignoreFile, '--no-rewrite-relative-links', '--out', out];
      execFileSync(process.execPath, [vsce, 'package', ...flags], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const sizeMiB = statSync(out).size / 2 ** 20;
      const names = await vsixEntries(out);
      const problems = checkEntries(target, names);
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
