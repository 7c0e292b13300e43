// Peak memory of opening a legacy (pre-1.6) torch.save checkpoint with the published shapes; issue #8 asks for
// at most 1.2x the file size for allenai/longformer-large-4096 (about 1.7 GB of float32).
//
//   node --require tsx/cjs bench/legacy-load-memory.ts [large|base]
//
// Writes a random-weight checkpoint laid out as the 2020 uploads are (LongformerForMaskedLM's state dict: the
// encoder under `longformer.`, lm_head.* with its decoder sharing the word embeddings' storage, a position_ids
// buffer, one storage per tensor, a config without `architectures`), streaming each storage to disk. Then a child
// process (so that its peak RSS is its own) runs loadCheckpoint on it and reports its peak RSS and its RSS before
// loading (Node and the modules). Prints the ratios; nothing is asserted.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../src/core/checkpoint/load';
import { expectedTensorShapes } from '../src/core/checkpoint/shapes';
import { FULL_SIZE_OPTIONS, huggingFaceConfigJson, syntheticConfig } from '../src/core/checkpoint/synthetic';
import { legacyTorchParts, type LegacyStorage, type LegacyTensor } from '../test/unit/checkpoint/support/legacy-writer';

const SIZES = {
  base: FULL_SIZE_OPTIONS,
  large: { ...FULL_SIZE_OPTIONS, numHiddenLayers: 24, hiddenSize: 1024, numAttentionHeads: 16, intermediateSize: 4096 },
};

async function measure(dir: string): Promise<void> {
  const before = process.memoryUsage().rss;
  const checkpoint = await loadCheckpoint(dir);
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ before, peak, parameters: checkpoint.parameterCount, ignored: checkpoint.ignoredTensors.length }));
}

function writeCheckpoint(dir: string, size: keyof typeof SIZES): { path: string; dataStart: number } {
  const config = syntheticConfig({ ...SIZES[size], head: 'masked-lm' });
  const json = huggingFaceConfigJson(config);
  delete json['architectures'];
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...json, attention_mode: 'longformer' }));

  const storages = new Map<string, LegacyStorage>();
  const entries: LegacyTensor[] = [];
  const storageFor = (name: string, shape: readonly number[]): LegacyStorage => {
    const storage = {
      key: String(94_000_000 + storages.size),
      storageType: 'FloatStorage',
      numel: shape.reduce((a, b) => a * b, 1),
      bytes: new Uint8Array(),
    };
    storages.set(name, storage);
    return storage;
  };
  for (const [name, shape] of expectedTensorShapes(config)) {
    if (name === 'lm_head.decoder.bias') continue; // saved as lm_head.bias only
    const stored = name.startsWith('lm_head.') ? name : `longformer.${name}`;
    // The decoder is tied to the word embeddings: the same storage, as torch.save writes tied parameters.
    const storage = name === 'lm_head.decoder.weight' ? storages.get('embeddings.word_embeddings.weight')! : storageFor(name, shape);
    entries.push({ name: stored, storage, shape, parameter: true });
  }
  const positions = config.maxPositionEmbeddings;
  entries.push({
    name: 'longformer.embeddings.position_ids',
    storage: { key: '93999999', storageType: 'LongStorage', numel: positions, bytes: new Uint8Array() },
    shape: [1, positions],
  });

  const path = join(dir, 'pytorch_model.bin');
  const { pickles, storages: parts } = legacyTorchParts(entries);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, pickles);
    const byKey = new Map([...storages.values(), entries.at(-1)!.storage].map((storage) => [storage.key, storage]));
    for (const { key, count } of parts) {
      writeSync(fd, count);
      const storage = byKey.get(key)!;
      if (storage.storageType === 'LongStorage') {
        writeSync(fd, new Uint8Array(BigInt64Array.from({ length: storage.numel }, (_, i) => BigInt(i)).buffer));
        continue;
      }
      const values = new Float32Array(storage.numel);
      for (let i = 0; i < values.length; i += 1) values[i] = ((i * 2654435761) % 1000) / 50_000 - 0.01;
      writeSync(fd, new Uint8Array(values.buffer));
    }
  } finally {
    closeSync(fd);
  }
  return { path, dataStart: pickles.length };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--measure') return measure(process.argv[3]!);
  const size = (process.argv[2] ?? 'large') as keyof typeof SIZES;
  if (!(size in SIZES)) throw new Error(`size is base or large, not ${size}`);
  const dir = mkdtempSync(join(tmpdir(), 'lens-legacy-memory-'));
  try {
    const { path: file, dataStart } = writeCheckpoint(dir, size);
    const bytes = statSync(file).size;
    const output = execFileSync(process.execPath, ['--require', 'tsx/cjs', __filename, '--measure', dir], { encoding: 'utf8' });
    const { before, peak, parameters, ignored } = JSON.parse(output) as {
      before: number;
      peak: number;
      parameters: number;
      ignored: number;
    };
    const mb = (value: number): string => `${(value / 2 ** 20).toFixed(0)} MiB`;
    process.stdout.write(
      [
        `legacy ${size}: ${parameters.toLocaleString('en-US')} parameters, ${ignored} tensors ignored, file ${mb(bytes)}`,
        `the first storage's data starts at byte ${dataStart + 8} (${(dataStart + 8) % 4 === 0 ? 'aligned' : 'unaligned: the loader moves the storages into alignment'})`,
        `peak RSS while loading: ${mb(peak)} = ${(peak / bytes).toFixed(3)} x the file size`,
        `RSS before loading (Node, modules): ${mb(before)}; peak less that: ${((peak - before) / bytes).toFixed(3)} x the file size`,
      ].join('\n') + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
