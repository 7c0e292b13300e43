// The issue #13 "Documents" and "Start" measurements, side by side in one run, on a base-size synthetic
// classification checkpoint with the RoBERTa tokenizer of the fixtures:
// - classify one document of about 23,000 tokens (text cut from /usr/share/common-licenses, 7 chunks of 4,096)
//   against 7 × one engine run at 4,096 tokens, alternating in one process (the same engine), so the ratio is the
//   per-chunk overhead of the document pipeline (tokenizing, chunking, inputs, aggregation);
// - a warm second start: `longformer-lens classify` on a 1,024-token document in a fresh process, graph already
//   cached, from spawning the process to its exit with the result (the first start, which builds the cache, is run
//   first and printed too);
// - tokenizing 1 MB of text (median of 5).
// Usage (after `npm run build`): npx tsx bench/documents.ts [--rounds 2] [--precision fp32|int8] [--work DIR]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchInputs, median } from '../src/core/bench/work';
import { FULL_SIZE_OPTIONS, syntheticConfig, writeSyntheticCheckpoint } from '../src/core/checkpoint/synthetic';
import { isPrecision, type Precision } from '../src/core/precision';
import { openEngine } from '../src/core/runtime/open';
import { classify } from '../src/core/tasks/classify';
import { loadTokenizer } from '../src/core/tokenizer';

const ROOT = join(__dirname, '..');
const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    precision: { type: 'string', default: 'fp32' },
    work: { type: 'string', default: join(tmpdir(), 'lens-bench-documents') },
  },
});
const precision: Precision = isPrecision(flags.precision) ? flags.precision : 'fp32';

/** Real text nobody here wrote, repeated until it has at least `chars` characters. */
function licenseText(chars: number): string {
  const dir = '/usr/share/common-licenses';
  const files = readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .sort();
  let text = '';
  while (text.length < chars) for (const file of files) text += `${readFileSync(file, 'utf8')}\n\n`;
  return text;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

async function main(): Promise<void> {
  const work = flags.work;
  const modelDir = join(work, 'model');
  const cacheDir = join(work, 'cache');
  mkdirSync(work, { recursive: true });
  const config = syntheticConfig({ ...FULL_SIZE_OPTIONS, head: 'sequence-classification', numLabels: 3 });
  await writeSyntheticCheckpoint(modelDir, config, 3);
  for (const file of readdirSync(join(ROOT, 'test', 'fixtures', 'roberta-bpe'))) {
    if (file !== 'tokenizer-cases.json') cpSync(join(ROOT, 'test', 'fixtures', 'roberta-bpe', file), join(modelDir, file));
  }
  const tokenizer = loadTokenizer(modelDir);
  console.log(
    `load average at the start: ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}`,
  );

  // Tokenizing 1 MB.
  const megabyte = licenseText(1_000_000).slice(0, 1_000_000);
  // Wall time and this process's CPU time: tokenizing is single-threaded, so its CPU time is what it would take on
  // an idle core, whatever the load.
  const tokenizeMs: number[] = [];
  const tokenizeCpuMs: number[] = [];
  let tokenCount = 0;
  for (let i = 0; i < 6; i += 1) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    tokenCount = tokenizer.tokenize(megabyte).ids.length;
    const used = process.cpuUsage(cpu);
    if (i === 0) continue; // the first call warms the JIT
    tokenizeMs.push(performance.now() - start);
    tokenizeCpuMs.push((used.user + used.system) / 1000);
  }
  console.log(
    `tokenize 1 MB (${tokenCount} tokens): median ${median(tokenizeMs).toFixed(0)} ms wall, ${median(tokenizeCpuMs).toFixed(0)} ms CPU, of 5 (first call excluded)`,
  );

  // A document of about 23,000 tokens: 7 chunks of 4,096 with the default overlap.
  // Lines are added until the text has the tokens asked (counted per line: BPE does not merge across a newline).
  const lines = licenseText(200_000).split('\n');
  const textOf = (tokens: number): string => {
    let text = '';
    let count = 0;
    for (const line of lines) {
      if (count >= tokens) break;
      text += `${line}\n`;
      count += tokenizer.tokenize(`${line}\n`).ids.length;
    }
    return text;
  };
  const document = textOf(23_000);
  const docTokens = tokenizer.tokenize(document).ids.length;

  // Warm second start at 1,024 tokens: the CLI in a fresh process; the first one builds and caches the graph.
  const short = join(work, 'doc-1024.txt');
  const shortText = textOf(1_000);
  writeFileSync(short, shortText);
  // GNU time reports the child's CPU time (user + system) beside the wall time.
  const cli = (): { wallMs: number; cpuMs: number } => {
    const start = performance.now();
    const result = spawnSync(
      '/usr/bin/time',
      [
        '-f',
        'cpu %U %S',
        process.execPath,
        join(ROOT, 'bin', 'longformer-lens.js'),
        'classify',
        '--model',
        modelDir,
        short,
        '--json',
        '--provider',
        'cpu',
        '--precision',
        precision,
      ],
      { env: { ...process.env, XDG_CACHE_HOME: join(work, 'xdg') }, encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`classify failed: ${result.stderr}`);
    const wallMs = performance.now() - start;
    const [, user, system] = /cpu ([\d.]+) ([\d.]+)/.exec(result.stderr) ?? [];
    return { wallMs, cpuMs: 1000 * (Number(user) + Number(system)) };
  };
  const cold = cli();
  const warm = [cli(), cli(), cli()];
  const shown = (r: { wallMs: number; cpuMs: number }): string => `${seconds(r.wallMs)} (CPU ${seconds(r.cpuMs)})`;
  console.log(
    `start, classify ${tokenizer.tokenize(shortText).ids.length} tokens in a fresh CLI process (${precision}): first (builds the graph) ` +
      `${shown(cold)}; warm second starts ${warm.map(shown).join(', ')}; median wall ${seconds(median(warm.map((r) => r.wallMs)))}`,
  );

  // Documents: classify against 7 × a 4,096-token run, alternating, one engine.
  const engine = await openEngine(modelDir, { provider: 'cpu', cacheDir, precision });
  try {
    const inputs = benchInputs(config, 4096);
    await engine.run(inputs, ['logits']); // warm-up
    const runMs: number[] = [];
    const documentMs: number[] = [];
    let chunks = 0;
    for (let round = 0; round < Number(flags.rounds); round += 1) {
      for (let i = 0; i < 2; i += 1) {
        const start = performance.now();
        await engine.run(inputs, ['logits']);
        runMs.push(performance.now() - start);
      }
      const start = performance.now();
      const result = await classify(engine, tokenizer, document);
      documentMs.push(performance.now() - start);
      chunks = result.chunks.length;
    }
    const one = median(runMs);
    const doc = median(documentMs);
    console.log(
      `documents (${engine.precision}): classify ${docTokens} tokens (${chunks} chunks) ${seconds(doc)} (median of ${documentMs.length}); ` +
        `one 4,096-token run ${seconds(one)} (median of ${runMs.length}); classify / (${chunks} × run) = ${(doc / (chunks * one)).toFixed(3)}`,
    );
  } finally {
    await engine.dispose();
  }
  console.log(
    `load average at the end: ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}`,
  );
}

void main();
