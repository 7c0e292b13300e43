// The build check that keeps onnxruntime-node and the hub's HTTP stack out of dist/extension.js, run on the real
// extension entry point and on an entry that pulls the runtime in.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';

async function bundleMetafile(entry: string): Promise<Metafile> {
  const result = await build({
    entryPoints: { extension: entry },
    outdir: 'out/thin-check',
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    external: ['vscode', 'onnxruntime-node'],
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}

describe('thin extension bundle check', () => {
  // The build script's own module (ESM), loaded the way scripts/build.mjs loads it.
  let checkThinExtension: (metafile: Metafile, outputPath: string) => string[];
  before(async () => {
    ({ checkThinExtension } = await import('../../../scripts/thin-extension.mjs'));
  });

  it('passes the extension entry point', async () => {
    assert.deepEqual(checkThinExtension(await bundleMetafile('src/extension/main.ts'), 'out/thin-check/extension.js'), []);
  });

  it('names onnxruntime-node and the file that imports it', async () => {
    const problems = checkThinExtension(await bundleMetafile('src/core/runtime/providers.ts'), 'out/thin-check/extension.js');
    assert.ok(
      problems.some((line) => line.startsWith('onnxruntime-node is required at run time')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((line) => line.includes('src/core/runtime/providers.ts')),
      problems.join('\n'),
    );
  });

  it('names the hub HTTP stack when it is bundled', async () => {
    const problems = checkThinExtension(await bundleMetafile('src/core/hub/index.ts'), 'out/thin-check/extension.js');
    assert.ok(
      problems.some((line) => line.startsWith('undici is bundled')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((line) => line.startsWith('proper-lockfile is bundled')),
      problems.join('\n'),
    );
  });

  it("names Node's network modules and the file that requires them: downloads go through the worker", async () => {
    // The hub's own downloader (undici) is checked above; this is a download written with Node's https directly.
    const dir = mkdtempSync(join(tmpdir(), 'thin-check-'));
    const entry = join(dir, 'download.ts');
    writeFileSync(entry, "import { get } from 'node:https';\nexport const fetchConfig = (url: string) => get(url);\n");
    try {
      const problems = checkThinExtension(await bundleMetafile(entry), 'out/thin-check/extension.js');
      assert.ok(
        problems.some((line) => line.startsWith(`Node's https module is required`)),
        problems.join('\n'),
      );
      assert.ok(
        problems.some((line) => line.includes('download.ts')),
        problems.join('\n'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
