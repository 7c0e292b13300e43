// The WebAssembly runtime (onnxruntime-web in Node, provider "wasm"), which runs where onnxruntime-node has no native
// binding (darwin-x64): every fixture input and output against the native CPU provider in the same process, and the
// darwin-x64 VSIX's own engine worker, which holds no native binding at all, falling back to it with the reason said.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ModelOutputs, OutputName } from '../../src/core/runtime/engine';
import { openEngine, type OpenedEngine } from '../../src/core/runtime/open';
import { WorkerClient } from '../../src/extension/worker-client';
import type { EngineInfo, WorkerMethods } from '../../src/worker/protocol';
import { maxDiff, readReference, toModelInputs } from '../support/reference';
import { FIXTURE_CASES, FIXTURES } from '../unit/checkpoint/support/checkpoint-files';
import { writeTaskCheckpoint } from './support-checkpoint';
import yauzl from 'yauzl';

const ROOT = join(__dirname, '..', '..');
const TOLERANCE = 1e-4;

/** Every tensor of two runs, by name; the largest difference over all of them. */
function worstDifference(wasm: ModelOutputs, cpu: ModelOutputs): number {
  let worst = 0;
  assert.deepEqual([...wasm.tensors.keys()], [...cpu.tensors.keys()]);
  for (const [name, tensor] of cpu.tensors) worst = Math.max(worst, maxDiff(wasm.tensors.get(name), tensor, name));
  assert.equal(wasm.attentions?.length, cpu.attentions?.length);
  cpu.attentions?.forEach((tensor, layer) => (worst = Math.max(worst, maxDiff(wasm.attentions?.[layer], tensor, `attentions[${layer}]`))));
  assert.equal(wasm.globalAttentions?.length, cpu.globalAttentions?.length);
  cpu.globalAttentions?.forEach(
    (tensor, layer) => (worst = Math.max(worst, maxDiff(wasm.globalAttentions?.[layer], tensor, `global_attentions[${layer}]`))),
  );
  return worst;
}

/** Writes every file of a zip (a VSIX) under `dest`. */
function unpack(zipFile: string, dest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipFile, { lazyEntries: true }, (error, zip) => {
      if (error !== null) return reject(error);
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError !== null) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            const file = join(dest, entry.fileName);
            mkdir(dirname(file), { recursive: true })
              .then(() => writeFile(file, Buffer.concat(chunks)))
              .then(() => zip.readEntry(), reject);
          });
        });
      });
      zip.readEntry();
    });
  });
}

describe('WebAssembly runtime (onnxruntime-web in Node)', function () {
  this.timeout(180_000);
  let cacheDir = '';
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'lens-wasm-cache-'));
  });
  after(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  for (const caseName of FIXTURE_CASES) {
    it(`${caseName}: every fixture input and output matches the native CPU provider within ${TOLERANCE}`, async () => {
      const reference = readReference(caseName);
      const engines: OpenedEngine[] = [];
      try {
        const wasm = await openEngine(join(FIXTURES, caseName), { provider: 'wasm', cacheDir });
        engines.push(wasm);
        const cpu = await openEngine(join(FIXTURES, caseName), { provider: 'cpu', threads: 1, cacheDir });
        engines.push(cpu);
        assert.equal(wasm.provider, 'wasm');
        assert.equal(wasm.providerNote, undefined);
        assert.equal(cpu.provider, 'cpu');
        let worst = 0;
        for (const input of reference.inputs) {
          const names = [...wasm.availableOutputs] as OutputName[];
          const fromWasm = await wasm.run(toModelInputs(input), names);
          const fromCpu = await cpu.run(toModelInputs(input), names);
          assert.equal(fromWasm.provider, 'wasm');
          const diff = worstDifference(fromWasm, fromCpu);
          assert.ok(diff <= TOLERANCE, `${input.name}: max |wasm - cpu| ${diff}`);
          worst = Math.max(worst, diff);
        }
        process.stdout.write(`      ${reference.inputs.length} inputs, every output: max |wasm - cpu| ${worst.toExponential(2)}\n`);
      } finally {
        for (const engine of engines) await engine.dispose();
      }
    });
  }

  it("the darwin-x64 VSIX's engine worker, unpacked here (it has no native binding for any platform), classifies on WebAssembly as the CPU provider does", async function () {
    this.timeout(300_000);
    const dir = await mkdtemp(join(tmpdir(), 'lens-wasm-vsix-'));
    const clients: WorkerClient[] = [];
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), '--target', 'darwin-x64'], { cwd: ROOT, stdio: 'pipe' });
      const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      await unpack(join(ROOT, 'release', `longformer-lens-${version}-darwin-x64.vsix`), join(dir, 'vsix'));
      const model = join(dir, 'model');
      await writeTaskCheckpoint(model, 'sequence-classification', 3, { labels: ['negative', 'positive'] });
      process.env['XDG_CACHE_HOME'] = join(dir, 'cache');
      const text = readFileSync(join(ROOT, 'examples', 'field-report.txt'), 'utf8').slice(0, 1500);
      const classify = async (
        workerPath: string,
        provider: 'auto' | 'cpu',
      ): Promise<{ result: WorkerMethods['classify']['result']; engine?: EngineInfo }> => {
        const client = new WorkerClient({ workerPath });
        clients.push(client);
        let engine: EngineInfo | undefined;
        const result = await client.request(
          'classify',
          { modelDir: model, provider, text, spans: [] },
          { onEngine: (info) => (engine = info) },
        );
        return engine === undefined ? { result } : { result, engine };
      };
      const shipped = await classify(join(dir, 'vsix', 'extension', 'dist', 'worker.js'), 'auto');
      const native = await classify(join(ROOT, 'dist', 'worker.js'), 'cpu');
      assert.equal(shipped.result.provider, 'wasm');
      assert.equal(
        shipped.engine?.providerNote,
        `onnxruntime-node has no native binding for ${process.platform}/${process.arch}; running on WebAssembly (onnxruntime-web) on the CPU.`,
      );
      assert.equal(native.result.provider, 'cpu');
      assert.equal(shipped.result.probabilities.length, 2);
      shipped.result.probabilities.forEach((p: number, i: number) =>
        assert.ok(Math.abs(p - (native.result.probabilities[i] ?? Number.NaN)) <= TOLERANCE),
      );
    } finally {
      for (const client of clients) client.dispose();
      delete process.env['XDG_CACHE_HOME'];
      await rm(dir, { recursive: true, force: true });
    }
  });
});
