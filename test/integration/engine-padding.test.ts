// Real tokens' outputs must not depend on how much masked padding follows them. HuggingFace cannot show this for a
// window of 2 or for a window that does not divide the padded length (it fails there), so the engine is checked
// against itself: the same row alone, followed by extra masked padding, and inside a batch with a longer row.
import { strict as assert } from 'node:assert';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FloatTensor } from '../../src/core/checkpoint/tensor';
import type { ModelInputs, ModelOutputs } from '../../src/core/runtime/engine';
import { openEngine, type OpenedEngine } from '../../src/core/runtime/open';
import { TEST_PROVIDER } from '../support/provider';

const BASE = join(__dirname, '..', 'fixtures', 'longformer-ref', 'base-tiny');
const LENGTH = 13;
const PAD = 1;
const IDS = [0, 17, 44, 5, 90, 23, 61, 8, 100, 33, 71, 12, 2];
const EXTRA_PADDING = [1, 5, 11, 23];
const TOLERANCE = 1e-5;

function batch(rows: { ids: number[]; mask: number[]; global: number[] }[]): ModelInputs {
  const seqLen = Math.max(...rows.map((row) => row.ids.length));
  const fill = (values: number[], filler: number): number[] => [...values, ...new Array<number>(seqLen - values.length).fill(filler)];
  return {
    batchSize: rows.length,
    seqLen,
    inputIds: BigInt64Array.from(
      rows.flatMap((row) => fill(row.ids, PAD)),
      BigInt,
    ),
    attentionMask: BigInt64Array.from(
      rows.flatMap((row) => fill(row.mask, 0)),
      BigInt,
    ),
    globalAttentionMask: BigInt64Array.from(
      rows.flatMap((row) => fill(row.global, 0)),
      BigInt,
    ),
  };
}

/** The row-`row` slice of the first `length` positions along `axis` (axis 1 for hidden states, 2 for attentions). */
function realPart(tensor: FloatTensor, row: number, axis: 1 | 2, length: number): number[] {
  const shape = tensor.shape;
  const out: number[] = [];
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const outer = shape.slice(1, axis).reduce((p, d) => p * d, 1);
  const seq = shape[axis] ?? 0;
  for (let o = 0; o < outer; o += 1) {
    const start = (row * outer + o) * seq * inner;
    for (let i = 0; i < length * inner; i += 1) out.push(tensor.data[start + i] ?? Number.NaN);
  }
  return out;
}

function maxDiff(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  return a.reduce((worst, value, index) => Math.max(worst, Math.abs(value - (b[index] ?? Number.NaN))), 0);
}

function compare(reference: ModelOutputs, other: ModelOutputs, row: number, label: string): number {
  let worst = 0;
  const hidden = (result: ModelOutputs): FloatTensor => result.tensors.get('last_hidden_state') as FloatTensor;
  worst = Math.max(worst, maxDiff(realPart(hidden(reference), 0, 1, LENGTH), realPart(hidden(other), row, 1, LENGTH)));
  const pooled = (result: ModelOutputs, r: number): number[] => realPart(result.tensors.get('pooler_output') as FloatTensor, r, 1, 32);
  worst = Math.max(worst, maxDiff(pooled(reference, 0), pooled(other, row)));
  reference.attentions?.forEach((layer, index) => {
    const otherLayer = other.attentions?.[index];
    assert.ok(otherLayer !== undefined);
    assert.equal(otherLayer.shape[3], layer.shape[3], `${label}: attention columns`);
    worst = Math.max(worst, maxDiff(realPart(layer, 0, 2, LENGTH), realPart(otherLayer, row, 2, LENGTH)));
  });
  assert.ok(worst <= TOLERANCE, `${label}: max |diff| ${worst}`);
  return worst;
}

describe('engine: outputs of real tokens do not depend on trailing masked padding', () => {
  const configs = [
    { label: 'windows [2, 6] (HF fails on 2)', window: [2, 6], dilation: [1, 1] },
    { label: 'windows [4, 6] (4 does not divide the padded length)', window: [4, 6], dilation: [1, 1] },
    { label: 'windows [2, 4], dilation [3, 2]', window: [2, 4], dilation: [3, 2] },
  ];
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'lens-padding-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  configs.forEach((setup, index) => {
    describe(setup.label, () => {
      let engine: OpenedEngine | undefined;
      before(async () => {
        const dir = join(root, `model-${index}`);
        const config = JSON.parse(await readFile(join(BASE, 'config.json'), 'utf8')) as Record<string, unknown>;
        await mkdir(dir);
        await writeFile(
          join(dir, 'config.json'),
          JSON.stringify({ ...config, attention_window: setup.window, attention_dilation: setup.dilation }),
        );
        await copyFile(join(BASE, 'model.safetensors'), join(dir, 'model.safetensors'));
        engine = await openEngine(dir, { provider: TEST_PROVIDER, threads: 1, cacheDir: join(root, 'cache') });
      });
      after(async () => {
        await engine?.dispose();
      });

      const globalCases: [string, readonly number[]][] = [
        ['no global token', []],
        ['globals 0, 5, 6', [0, 5, 6]],
      ];
      for (const [name, global] of globalCases) {
        it(`${name}: alone, with ${EXTRA_PADDING.join('/')} extra pads, and in a batch with a longer row`, async () => {
          assert.ok(engine !== undefined);
          const globalRow = IDS.map((_, position) => (global.includes(position) ? 1 : 0));
          const row = { ids: IDS, mask: IDS.map(() => 1), global: globalRow };
          const outputs = ['last_hidden_state', 'pooler_output', 'attentions'] as const;
          const alone = await engine.run(batch([row]), outputs);
          const diffs: string[] = [];
          for (const extra of EXTRA_PADDING) {
            // A global flag on a padding position must have no effect either.
            const padded = {
              ids: [...IDS, ...new Array<number>(extra).fill(PAD)],
              mask: [...row.mask, ...new Array<number>(extra).fill(0)],
              global: [...globalRow, ...new Array<number>(extra).fill(0).map((_, i) => (i === 0 ? 1 : 0))],
            };
            const result = await engine.run(batch([padded]), outputs);
            diffs.push(compare(alone, result, 0, `+${extra} pads`).toExponential(1));
          }
          const longer = {
            ids: [0, ...new Array<number>(40).fill(50), 2],
            mask: new Array<number>(42).fill(1),
            global: [1, ...new Array<number>(41).fill(0)],
          };
          const inBatch = await engine.run(batch([longer, row]), ['last_hidden_state', 'pooler_output']);
          const hiddenOnly: ModelOutputs = { provider: alone.provider, precision: alone.precision, tensors: alone.tensors };
          diffs.push(compare(hiddenOnly, inBatch, 1, 'in a batch').toExponential(1));
          process.stdout.write(`        max |diff| per variant: ${diffs.join(', ')}\n`);
        });
      }
    });
  });
});
