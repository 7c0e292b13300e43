// The fp16 rewrite (graph/half-precision.ts): float16 bit patterns, which nodes change, and the rewritten Longformer
// graph run on the CPU provider (which has float16 MatMul kernels) against the float32 graph.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { loadCheckpoint } from '../../../src/core/checkpoint/load';
import type { Graph } from '../../../src/core/graph/builder';
import { float16Bits } from '../../../src/core/graph/float16';
import { toHalfPrecision } from '../../../src/core/graph/half-precision';
import { buildLongformerGraph } from '../../../src/core/graph/longformer/model';
import { serializeModel } from '../../../src/core/graph/serialize';

const BASE = join(__dirname, '..', '..', 'fixtures', 'longformer-ref', 'base-tiny');

function allNodes(graph: Graph): Graph['nodes'][number][] {
  return graph.nodes.flatMap((node) => [
    node,
    ...[...node.attributes.values()].flatMap((value) => (value.kind === 'graph' ? allNodes(value.value) : [])),
  ]);
}

describe('fp16 graph rewrite', () => {
  it('converts float32 to float16 bits, rounding to nearest even', () => {
    const cases: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0, 0x0000],
      [-0, 0x8000],
      [65504, 0x7bff],
      [65520, 0x7c00], // rounds up past the largest finite half: inf
      [-1e9, 0xfc00],
      [Infinity, 0x7c00],
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -26, 0x0000], // below half of it: zero
      [1 + 2 ** -11, 0x3c00], // a tie rounds to the even mantissa
      [1 + 3 * 2 ** -11, 0x3c02],
      [0.1, 0x2e66],
    ];
    const bits = float16Bits(Float32Array.from(cases.map(([value]) => value)));
    cases.forEach(([value, expected], i) => assert.equal(bits[i], expected, `${value}`));
    assert.equal((float16Bits(Float32Array.from([NaN]))[0] ?? 0) & 0x7c00, 0x7c00);
    assert.notEqual((float16Bits(Float32Array.from([NaN]))[0] ?? 0) & 0x3ff, 0);
  });

  it('stores every MatMul weight and embedding table in float16 only, and multiplies in float16', async () => {
    const { config, weights } = await loadCheckpoint(BASE);
    const graph = toHalfPrecision(buildLongformerGraph(config, weights, { attentions: 'per-head' }));
    const nodes = allNodes(graph);
    const matMuls = nodes.filter((node) => node.opType === 'MatMul');
    assert.ok(matMuls.length > 10);
    for (const node of matMuls) {
      for (const input of node.inputs)
        assert.notEqual(graph.initializers.get(input)?.dtype, 'float32', `${node.name} reads float32 ${input}`);
    }
    const half = [...graph.initializers].filter(([, tensor]) => tensor.dtype === 'float16').map(([name]) => name);
    assert.ok(half.some((name) => name.includes('word_embeddings')));
    assert.ok(half.some((name) => name.includes('key_global')));
    for (const name of half) assert.equal(graph.initializers.has(name.replace(/\.fp16$/, '')), false, `${name} kept its float32 twin`);
    // Softmax and LayerNormalization are untouched: they read the float32 values they read before.
    const before = allNodes(buildLongformerGraph(config, weights, { attentions: 'per-head' }));
    const kinds = (list: typeof nodes, op: string): string[] =>
      list.filter((node) => node.opType === op).map((node) => node.inputs.join(','));
    for (const op of ['Softmax', 'LayerNormalization']) assert.deepEqual(kinds(nodes, op), kinds(before, op), op);
  });

  it('runs on the CPU provider close to float32, with no NaN from masked rows', async () => {
    const { config, weights } = await loadCheckpoint(BASE);
    const built = buildLongformerGraph(config, weights, { attentions: 'per-head' });
    const full = await InferenceSession.create(serializeModel(built));
    const half = await InferenceSession.create(serializeModel(toHalfPrecision(built)));
    // Two rows, the second right-padded (its padding rows have every window key masked), no global token in row 2.
    const ids = [0, 17, 44, 5, 90, 23, 61, 8, 100, 33, 71, 12, 2, 0, 9, 19, 29, 2, 1, 1, 1, 1, 1, 1, 1, 1];
    const mask = [...new Array<number>(13).fill(1), ...new Array<number>(5).fill(1), ...new Array<number>(8).fill(0)];
    const global = [1, ...new Array<number>(25).fill(0)];
    const feeds = {
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [2, 13]),
      attention_mask: new Tensor('int64', BigInt64Array.from(mask, BigInt), [2, 13]),
      global_attention_mask: new Tensor('int64', BigInt64Array.from(global, BigInt), [2, 13]),
    };
    try {
      const a = await full.run(feeds);
      const b = await half.run(feeds);
      for (const name of ['last_hidden_state', 'attentions.0', 'attentions.1', 'global_attentions.1']) {
        const x = a[name]?.data as Float32Array;
        const y = b[name]?.data as Float32Array;
        assert.equal(y.length, x.length, name);
        assert.ok(
          y.every((value) => Number.isFinite(value)),
          `${name} has NaN or inf`,
        );
        const worst = x.reduce((max, value, i) => Math.max(max, Math.abs(value - (y[i] ?? NaN))), 0);
        assert.ok(worst > 0 && worst < 3e-2, `${name}: max |diff| ${worst}`);
      }
    } finally {
      await full.release();
      await half.release();
    }
  });
});
