// Batch workers benchmark: how to split this machine's cores between engine processes. A synthetic checkpoint with
// longformer-base shapes classifies two corpora cut from this machine's license texts, many short documents and a
// few long ones, with every split of the cores into W workers x T threads (W x T = cores), each through the real
// CLI (`classify PATHS --jsonl --workers W --threads T`, worker start and model open included, graph cache warm).
// The splits alternate within each round so a neighbour's load hits them alike; ratios to the 1-worker split are
// printed per round and as the median. No assertions: numbers vary by machine; compare ratios from one run.
//
//   npm run build && npx tsx bench/batch-workers.ts [--rounds 2] [--short 32] [--long 4]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FULL_SIZE_OPTIONS, syntheticConfig, writeSyntheticCheckpoint } from '../src/core/checkpoint/synthetic';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const TOKENIZER = join(ROOT, 'test', 'fixtures', 'roberta-bpe');
const TEXTS = '/usr/share/common-licenses';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

/** The license texts joined, then cut into documents of about `chars` characters (~4 characters per token). */
function writeCorpus(dir: string, count: number, chars: number): void {
  const text = readdirSync(TEXTS)
    .sort()
    .map((name) => {
      try {
        return readFileSync(join(TEXTS, name), 'utf8');
      } catch {
        return '';
      }
    })
    .join('\n\n');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i += 1) {
    const start = (i * chars * 7) % Math.max(1, text.length - chars);
    writeFileSync(join(dir, `doc-${String(i).padStart(3, '0')}.txt`), text.slice(start, start + chars));
  }
}

interface Timing {
  readonly seconds: number;
  readonly tokensPerSecond: number;
}

function runSplit(model: string, corpus: string, workers: number, threads: number, scratch: string): Timing {
  const out = join(scratch, `out-${workers}x${threads}-${Date.now()}.jsonl`);
  const started = process.hrtime.bigint();
  const run = spawnSync(
    process.execPath,
    [
      CLI,
      'classify',
      '--model',
      model,
      corpus,
      '--jsonl',
      out,
      '--workers',
      String(workers),
      '--threads',
      String(threads),
      '--provider',
      'cpu',
    ],
    { encoding: 'utf8', env: process.env },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`classify failed (${String(run.status)}): ${run.stderr}`);
  const tokens = Number(/; ([\d,]+) tokens in/.exec(run.stderr)?.[1]?.replace(/,/g, '') ?? Number.NaN);
  rmSync(out, { force: true });
  return { seconds, tokensPerSecond: tokens / seconds };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  const cores = availableParallelism();
  const rounds = flag('rounds', 2);
  const scratch = mkdtempSync(join(tmpdir(), 'lens-bench-batch-'));
  process.env['XDG_CACHE_HOME'] = join(scratch, 'cache');
  try {
    const model = join(scratch, 'model');
    await writeSyntheticCheckpoint(
      model,
      syntheticConfig({ ...FULL_SIZE_OPTIONS, head: 'sequence-classification', labels: ['a', 'b'] }),
      1,
    );
    for (const file of ['vocab.json', 'merges.txt', 'special_tokens_map.json', 'tokenizer_config.json']) {
      writeFileSync(join(model, file), readFileSync(join(TOKENIZER, file)));
    }
    const corpora = [
      { name: 'short', dir: join(scratch, 'short'), count: flag('short', 32), chars: 1200 },
      { name: 'long', dir: join(scratch, 'long'), count: flag('long', 4), chars: 15_000 },
    ];
    for (const corpus of corpora) writeCorpus(corpus.dir, corpus.count, corpus.chars);
    // Builds the graph once, so every timed run finds it cached.
    runSplit(model, corpora[0]!.dir, 1, cores, scratch);

    const splits: { workers: number; threads: number }[] = [];
    for (let workers = 1; workers <= cores; workers += 1) if (cores % workers === 0) splits.push({ workers, threads: cores / workers });
    console.log(`batch workers: ${cores} cores, splits ${splits.map((s) => `${s.workers}x${s.threads}`).join(', ')}, ${rounds} rounds`);
    for (const corpus of corpora) {
      const ratios = new Map<string, number[]>(splits.map((s) => [`${s.workers}x${s.threads}`, []]));
      for (let round = 0; round < rounds; round += 1) {
        // Alternate the order between rounds, so a neighbour's load does not always fall on the same split.
        const order = round % 2 === 0 ? splits : [...splits].reverse();
        const timings = new Map(
          order.map((s) => [`${s.workers}x${s.threads}`, runSplit(model, corpus.dir, s.workers, s.threads, scratch)]),
        );
        const base = timings.get(`1x${cores}`)!;
        const line = [...timings.entries()].map(([name, t]) => {
          ratios.get(name)!.push(base.seconds / t.seconds);
          return `${name} ${t.seconds.toFixed(1)} s (${Math.round(t.tokensPerSecond)} tokens/s, ${(base.seconds / t.seconds).toFixed(2)}x)`;
        });
        console.log(`  ${corpus.name} (${corpus.count} documents of ~${corpus.chars} characters), round ${round + 1}: ${line.join(', ')}`);
      }
      const summary = [...ratios.entries()].map(([name, values]) => `${name} ${median(values).toFixed(2)}x`);
      console.log(`  ${corpus.name}: median speed relative to 1x${cores}: ${summary.join(', ')}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

void main();
