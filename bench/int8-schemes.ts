// int8 schemes side by side (issue #13): which dense layers are quantized and how, against fp32.
// - Speed: base-shaped layers (hidden 768, 12 heads, FFN 3072, window 512) at one length with one global token;
//   every graph gets its own session and they run alternating, round after round, in this one process, so the load
//   of a shared machine falls on all of them alike. Printed: each one's median and its time relative to fp32.
// - Accuracy: full-size synthetic models (12 layers, base shapes) with a classification head (worst |int8 - fp32|
//   logit difference over several inputs, as a fraction of each row's fp32 logit range; the issue asks for 1 %)
//   and a QA head (whether the best answer span is unchanged, and where it moved, how close fp32's own choice was),
//   one session at a time.
// Usage: npx tsx bench/int8-schemes.ts [--layers 2] [--length 4096] [--rounds 5] [--accuracy-length 1024]
//        [--inputs 4] [--only speed|accuracy]
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InferenceSession } from 'onnxruntime-node';
import { FULL_SIZE_OPTIONS, syntheticConfig, syntheticWeights } from '../src/core/checkpoint/synthetic';
import type { LongformerConfig } from '../src/core/checkpoint/config';
import type { StateDict } from '../src/core/checkpoint/tensor';
import { median } from '../src/core/bench/work';
import { buildLongformerGraph } from '../src/core/graph/longformer/model';
import { INT8_SCHEME, type Int8Scheme } from '../src/core/graph/longformer/weights';
import { serializeModel } from '../src/core/graph/serialize';
import { calibrateInt8 } from '../src/core/runtime/int8-calibration';
import { sessionOptions } from '../src/core/runtime/providers';
import { feeds, tokenIds, worstRelativeToRange } from './int8-support';

interface Variant {
  readonly name: string;
  /** Absent: the fp32 graph. */
  readonly scheme?: Int8Scheme;
  /** Weights rounded to nearest, without the engine's calibration (int8-calibration.ts). */
  readonly nearest?: boolean;
}

const ALL_DENSE = ['qkv', 'attention-output', 'ffn-in', 'ffn-out'] as const;
const ATTENTION_OUTPUT_AND_FFN = ['attention-output', 'ffn-in', 'ffn-out'] as const;
// The earlier variants keep their places (bench/README.md's commands select them by index); those added since go
// at the end. Every int8 variant is calibrated as the engine builds it unless marked `nearest`.
const VARIANTS: readonly Variant[] = [
  { name: 'fp32' },
  { name: 'int8 default (INT8_SCHEME), calibrated', scheme: INT8_SCHEME },
  { name: 'int8 weights (VNNI), attn-out + FFN', scheme: { weights: 'int8', roles: ATTENTION_OUTPUT_AND_FFN, fp32Layers: [] } },
  { name: 'int8 weights (VNNI), all four dense layers', scheme: { weights: 'int8', roles: ALL_DENSE, fp32Layers: [] } },
  { name: 'int7 weights, all four dense layers', scheme: { weights: 'int7', roles: ALL_DENSE, fp32Layers: [] } },
  { name: 'uint8 weights, attn-out + FFN', scheme: { weights: 'uint8', roles: ATTENTION_OUTPUT_AND_FFN, fp32Layers: [] } },
  { name: 'uint8 weights, all four dense layers', scheme: { weights: 'uint8', roles: ALL_DENSE, fp32Layers: [] } },
  {
    name: 'int7, attn-out + FFN in only (FFN out fp32)',
    scheme: { weights: 'int7', roles: ['attention-output', 'ffn-in'], fp32Layers: [] },
  },
  { name: 'int8 default, first and last layer fp32', scheme: { ...INT8_SCHEME, fp32Layers: [0, 11] } },
  { name: 'int8 default, nearest rounding', scheme: INT8_SCHEME, nearest: true },
  {
    name: 'int8 weights (VNNI), all four, nearest rounding',
    scheme: { weights: 'int8', roles: ALL_DENSE, fp32Layers: [] },
    nearest: true,
  },
];

const { values: flags } = parseArgs({
  options: {
    layers: { type: 'string', default: '2' },
    length: { type: 'string', default: '4096' },
    rounds: { type: 'string', default: '5' },
    'accuracy-length': { type: 'string', default: '1024' },
    inputs: { type: 'string', default: '4' },
    only: { type: 'string' },
    variants: { type: 'string' },
  },
});
const chosen = flags.variants === undefined ? VARIANTS : flags.variants.split(',').map((i) => VARIANTS[Number(i)] ?? VARIANTS[0]!);

async function session(config: LongformerConfig, weights: StateDict, variant: Variant): Promise<InferenceSession> {
  const { scheme } = variant;
  const calibrated = scheme !== undefined && variant.nearest !== true;
  const graph = buildLongformerGraph(config, weights, {
    attentions: 'none',
    precision: scheme === undefined ? 'fp32' : 'int8',
    ...(scheme === undefined ? {} : { int8: scheme }),
    ...(calibrated
      ? { int8Calibration: await calibrateInt8(config, weights, join(tmpdir(), `int8-calibration-${process.pid}`), { scheme }) }
      : {}),
  });
  return InferenceSession.create(serializeModel(graph), sessionOptions('cpu', {}));
}

async function speed(): Promise<void> {
  const n = Number(flags.length);
  const config = syntheticConfig({ ...FULL_SIZE_OPTIONS, numHiddenLayers: Number(flags.layers), maxPositionEmbeddings: n + 2 });
  const weights = syntheticWeights(config, 1);
  const ids = tokenIds(config, n, 12345);
  const global = new BigInt64Array(n);
  global[0] = 1n;
  const sessions = [];
  for (const variant of chosen) sessions.push(await session(config, weights, variant));
  for (const s of sessions) await s.run(feeds(ids, global)); // warm-up: allocation and prepacking
  const times: number[][] = chosen.map(() => []);
  for (let round = 0; round < Number(flags.rounds); round += 1) {
    // Alternate the order each round, so neither end of a round is always the same graph.
    const order = chosen.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const start = performance.now();
      await sessions[i]!.run(feeds(ids, global));
      times[i]!.push(performance.now() - start);
    }
  }
  const base = median(times[0]!);
  console.log(`speed: ${config.numHiddenLayers} base-shaped layers at ${n} tokens, ${flags.rounds} alternating rounds, medians`);
  chosen.forEach((variant, i) => {
    const m = median(times[i]!);
    // Each round's time against fp32's in the same round: less exposed to load that changes between rounds.
    const ratio = median(times[i]!.map((t, round) => t / times[0]![round]!));
    console.log(
      `  ${variant.name.padEnd(48)} ${(m / 1000).toFixed(2).padStart(7)} s  ${(m / base).toFixed(3)}x fp32's median ` +
        `(${(base / m).toFixed(2)}x faster); per round ${ratio.toFixed(3)}x (${(1 / ratio).toFixed(2)}x faster)`,
    );
  });
  for (const s of sessions) await s.release();
}

/** A candidate answer: start ≤ end < start + 30, after the question, scored start logit + end logit. */
interface Span {
  readonly start: number;
  readonly end: number;
  readonly score: number;
}

/** The best and second-best spans by score (the second tells how close the choice was). */
function topSpans(start: Float32Array, end: Float32Array, from: number): [Span, Span] {
  let best: Span = { start: -1, end: -1, score: Number.NEGATIVE_INFINITY };
  let second = best;
  for (let i = from; i < start.length - 1; i += 1) {
    for (let j = i; j < Math.min(start.length - 1, i + 30); j += 1) {
      const score = (start[i] ?? 0) + (end[j] ?? 0);
      if (score > best.score) [second, best] = [best, { start: i, end: j, score }];
      else if (score > second.score) second = { start: i, end: j, score };
    }
  }
  return [best, second];
}

/**
 * Whether int8's best span differs from fp32's, and how close fp32's own choice was: fp32's gap between its best and
 * second-best span, and how far below fp32's best the span int8 picked scores under fp32's logits.
 */
function spanChange(reference: readonly Float32Array[], output: readonly Float32Array[], from: number): string | undefined {
  const [start, end] = [reference[0]!, reference[1]!];
  const [best, second] = topSpans(start, end, from);
  const [picked] = topSpans(output[0]!, output[1]!, from);
  if (picked.start === best.start && picked.end === best.end) return undefined;
  const pickedUnderFp32 = (start[picked.start] ?? 0) + (end[picked.end] ?? 0);
  return (
    `${best.start}-${best.end} → ${picked.start}-${picked.end} (fp32: best − second ${(best.score - second.score).toFixed(4)}, ` +
    `best − int8's pick ${(best.score - pickedUnderFp32).toFixed(4)}, start logits range over ${(Math.max(...start) - Math.min(...start)).toFixed(3)})`
  );
}

async function accuracy(): Promise<void> {
  const n = Number(flags['accuracy-length']);
  const count = Number(flags.inputs);
  const question = 16;
  for (const head of ['sequence-classification', 'question-answering'] as const) {
    const config = syntheticConfig({ ...FULL_SIZE_OPTIONS, head, numLabels: 3, maxPositionEmbeddings: n + 2 });
    const weights = syntheticWeights(config, 2);
    const inputs = Array.from({ length: count }, (_, k) => {
      const ids = tokenIds(config, n, 777 + k * 101);
      const global = new BigInt64Array(n);
      if (head === 'question-answering') {
        ids[question] = 2n; // the question ends with </s>; HuggingFace's default marks it global
        global.fill(1n, 0, question + 1);
      } else global[0] = 1n;
      return feeds(ids, global);
    });
    const reference: Float32Array[][] = [];
    for (const variant of chosen) {
      const s = await session(config, weights, variant);
      const outputs: Float32Array[][] = [];
      for (const feed of inputs) {
        const result = await s.run(feed);
        outputs.push(
          head === 'question-answering'
            ? [result['start_logits']!.data as Float32Array, result['end_logits']!.data as Float32Array]
            : [result['logits']!.data as Float32Array],
        );
      }
      await s.release();
      if (variant.scheme === undefined) {
        reference.push(...outputs);
        continue;
      }
      if (head === 'question-answering') {
        const moved = outputs.flatMap((o, k) => spanChange(reference[k]!, o, question + 1) ?? []);
        console.log(`  QA (12 layers, ${n} tokens): ${variant.name}: best span moved on ${moved.length} of ${count} inputs`);
        for (const change of moved) console.log(`    ${change}`);
      } else {
        const worst = Math.max(...outputs.map((o, k) => worstRelativeToRange(reference[k]![0]!, o[0]!)));
        console.log(
          `  classification (12 layers, ${n} tokens): ${variant.name}: worst |Δ logit| ${(worst * 100).toFixed(2)} % of the range`,
        );
      }
    }
  }
}

async function main(): Promise<void> {
  console.log(
    `load average: ${(await import('node:os'))
      .loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}`,
  );
  if (flags.only !== 'accuracy') await speed();
  if (flags.only !== 'speed') await accuracy();
}

void main();
