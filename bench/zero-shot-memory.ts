// Peak memory of one zero-shot chunk on a base-size masked-LM model (longformer-base-4096 shapes, random weights) at
// 4,096 tokens: the logits at the mask only (what zero-shot asks for, RunOptions.logitPositions) against the full
// (4,096 x 50,265) logits (what it fetched before), side by side in one run, each in a fresh child process so that
// its peak RSS is its own; each runs a short input first, as zero-shot's calibration does. Also checks that the
// mask's logits are the same numbers both ways. onnxruntime's CPU arena grows in large steps, so absolute peaks
// depend on the order of runs; the two modes here run the same order.
//
//   node --require tsx/cjs bench/zero-shot-memory.ts
//
// The graph is built once by the parent first, so the children only open the cached graph and run.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FULL_SIZE_OPTIONS, syntheticConfig, writeSyntheticCheckpoint } from '../src/core/checkpoint/synthetic';
import { openEngine } from '../src/core/runtime/open';

const TOKENS = 4096;
const MASK_AT = 6;
const MASK_ID = 50264;

async function child(mode: 'mask' | 'full', modelDir: string, cacheDir: string): Promise<void> {
  const engine = await openEngine(modelDir, { provider: 'cpu', cacheDir });
  const opened = process.memoryUsage().rss;
  // `<s>`, ordinary tokens, one `<mask>` (global, as zero-shot makes it), `</s>`.
  const ids = BigInt64Array.from({ length: TOKENS }, (_, i) =>
    i === 0 ? 0n : i === TOKENS - 1 ? 2n : i === MASK_AT ? BigInt(MASK_ID) : BigInt(1000 + ((i * 7919) % 40000)),
  );
  const global = BigInt64Array.from({ length: TOKENS }, (_, i) => (i === 0 || i === MASK_AT ? 1n : 0n));
  const inputs = {
    batchSize: 1,
    seqLen: TOKENS,
    inputIds: ids,
    attentionMask: new BigInt64Array(TOKENS).fill(1n),
    globalAttentionMask: global,
  };
  const vocab = engine.config.vocabSize;
  const options = mode === 'mask' ? { logitPositions: [MASK_AT] } : {};
  // As zero-shot runs: the short content-free input first (calibration), then the document's chunk.
  const short = {
    ...inputs,
    seqLen: 12,
    inputIds: ids.slice(0, 12),
    attentionMask: inputs.attentionMask.slice(0, 12),
    globalAttentionMask: global.slice(0, 12),
  };
  await engine.run(short, ['logits'], options);
  const out = await engine.run(inputs, ['logits'], options);
  const logits = out.tensors.get('logits')!.data;
  const row = mode === 'mask' ? logits.subarray(0, vocab) : logits.subarray(MASK_AT * vocab, (MASK_AT + 1) * vocab);
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    JSON.stringify({
      opened,
      peak,
      returned: logits.byteLength,
      row: Buffer.from(row.buffer, row.byteOffset, row.byteLength).toString('base64'),
    }),
  );
  await engine.dispose();
}

async function main(): Promise<void> {
  const [, , role, mode, modelArg, cacheArg] = process.argv;
  if (role === 'child') return child(mode as 'mask' | 'full', modelArg!, cacheArg!);
  const dir = mkdtempSync(join(tmpdir(), 'lens-zero-shot-memory-'));
  try {
    const modelDir = join(dir, 'model');
    await writeSyntheticCheckpoint(modelDir, syntheticConfig({ ...FULL_SIZE_OPTIONS, head: 'masked-lm' }), 1);
    for (const file of ['vocab.json', 'merges.txt'])
      copyFileSync(join(__dirname, '..', 'test', 'fixtures', 'roberta-bpe', file), join(modelDir, file));
    const cacheDir = join(dir, 'cache');
    await (await openEngine(modelDir, { provider: 'cpu', cacheDir })).dispose();
    interface Measured {
      readonly opened: number;
      readonly peak: number;
      readonly returned: number;
      readonly row: string;
    }
    const measure = (mode: 'mask' | 'full'): Measured =>
      JSON.parse(
        execFileSync(process.execPath, ['--require', 'tsx/cjs', __filename, 'child', mode, modelDir, cacheDir], {
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        }),
      ) as Measured;
    const mask = measure('mask');
    const full = measure('full');
    const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    for (const [name, r] of [
      ['logits at the mask', mask],
      ['full logits       ', full],
    ] as const) {
      process.stdout.write(
        `${name}: peak RSS ${mib(r.peak)} (${mib(r.opened)} after opening the model), logits returned ${mib(r.returned)}\n`,
      );
    }
    process.stdout.write(
      `peak RSS ratio full / at the mask: ${(full.peak / mask.peak).toFixed(2)}x; the mask's logits are ${mask.row === full.row ? 'identical' : 'DIFFERENT'} both ways\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
