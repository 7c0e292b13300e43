// The token-scores graph (graph/longformer/token-scores.ts) against HuggingFace's semantics: for every layer, head and
// mode, the cube assembled from its small per-layer sums equals chunkAttentionScores on the per-head `attentions` /
// `global_attentions` of the 'per-head' graph. On the fixture checkpoints (base-tiny has a different window per layer)
// and a synthetic one with dilation, with several globals, no global, and rows of different lengths and global counts
// in one batch (padding and a filler global slot).
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticConfig, writeSyntheticCheckpoint } from '../../src/core/checkpoint/synthetic';
import type { FloatTensor } from '../../src/core/checkpoint/tensor';
import type { ModelInputs, ModelOutputs } from '../../src/core/runtime/engine';
import { openEngine, type OpenedEngine } from '../../src/core/runtime/open';
import { type AttentionMode, chunkAttentionScores, type ChunkAttentions } from '../../src/core/tasks/attention';
import { chunkScoreCube, selectScores } from '../../src/core/tasks/attention-cube';
import { lensError } from '../support/lens-error';
import { TEST_PROVIDER } from '../support/provider';

const FIXTURES = join(__dirname, '..', 'fixtures', 'longformer-ref');
const MODES: readonly AttentionMode[] = ['global', 'received', 'token'];
/** float32 sums inside the graph against float64 sums of float32 values here; received sums up to 3w + x values. */
const TOLERANCE = TEST_PROVIDER === 'webgpu' ? 1e-4 : 2e-6;

interface Row {
  readonly length: number;
  readonly globals: readonly number[];
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A batch of random token ids (3 .. vocab - 1), each row padded with 1 and mask 0 to the longest. */
function batchOf(rows: readonly Row[], vocab: number, seed: number): ModelInputs {
  const next = random(seed);
  const seqLen = Math.max(...rows.map((row) => row.length));
  const ids: bigint[] = [];
  const mask: bigint[] = [];
  const global: bigint[] = [];
  for (const row of rows) {
    for (let p = 0; p < seqLen; p += 1) {
      const real = p < row.length;
      ids.push(real ? BigInt(3 + Math.floor(next() * (vocab - 3))) : 1n);
      mask.push(real ? 1n : 0n);
      global.push(real && row.globals.includes(p) ? 1n : 0n);
    }
  }
  return {
    batchSize: rows.length,
    seqLen,
    inputIds: BigInt64Array.from(ids),
    attentionMask: BigInt64Array.from(mask),
    globalAttentionMask: BigInt64Array.from(global),
  };
}

/**
 * Row `row` of the per-head outputs as one chunk of `length` tokens in HuggingFace's single-row layout: the row's
 * first `length` positions, its own global columns (the batch has as many as its row with the most).
 */
function rowChunk(full: ModelOutputs, row: number, rowSpec: Row, dilations: readonly number[]): ChunkAttentions {
  const x = rowSpec.globals.length;
  const attentions = full.attentions!.map((tensor): FloatTensor => {
    const [, heads, seq, width] = tensor.shape as [number, number, number, number];
    const most = full.globalAttentions?.[0]?.shape[3] ?? 0;
    const keep = [...Array(width).keys()].filter((c) => c < x || c >= most);
    const data = new Float32Array(heads * rowSpec.length * keep.length);
    for (let h = 0; h < heads; h += 1)
      for (let i = 0; i < rowSpec.length; i += 1)
        keep.forEach((c, k) => {
          data[(h * rowSpec.length + i) * keep.length + k] = tensor.data[((row * heads + h) * seq + i) * width + c]!;
        });
    return { dtype: 'float32', shape: [1, heads, rowSpec.length, keep.length], data };
  });
  const globalAttentions = full.globalAttentions?.map((tensor): FloatTensor => {
    const [, heads, padded, most] = tensor.shape as [number, number, number, number];
    const data = new Float32Array(heads * padded * x);
    for (let h = 0; h < heads; h += 1)
      for (let j = 0; j < padded; j += 1)
        for (let k = 0; k < x; k += 1) data[(h * padded + j) * x + k] = tensor.data[((row * heads + h) * padded + j) * most + k]!;
    return { dtype: 'float32', shape: [1, heads, padded, x], data };
  });
  return {
    attentions,
    globalAttentions: x === 0 ? undefined : globalAttentions,
    globalPositions: Int32Array.from(rowSpec.globals),
    dilations,
  };
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i += 1) {
    const tolerance = TOLERANCE * Math.max(1, Math.abs(want[i]!));
    assert.ok(Math.abs(got[i]! - want[i]!) <= tolerance, `${what} [${i}]: ${got[i]} vs ${want[i]}`);
  }
}

/** Every layer, head and mode (token mode at each of `queries` inside the row) of every row of the batch. */
async function checkBatch(engine: OpenedEngine, rows: readonly Row[], seed: number): Promise<number> {
  const config = engine.config;
  const inputs = batchOf(rows, config.vocabSize, seed);
  const full = await engine.run(inputs, ['attentions', 'global_attentions']);
  const queries = [...new Set([0, 1, ...rows.flatMap((row) => [...row.globals, Math.floor(row.length / 2), row.length - 1])])];
  let compared = 0;
  for (const query of queries) {
    const scored = await engine.run(inputs, [], { tokenScores: { query } });
    assert.equal(scored.tokenScores?.length, config.numHiddenLayers);
    for (const [row, spec] of rows.entries()) {
      const reference = rowChunk(full, row, spec, config.attentionDilation);
      const chunk = {
        layers: scored.tokenScores,
        row,
        globalPositions: Int32Array.from(spec.globals),
        dilations: config.attentionDilation,
      };
      for (const mode of MODES) {
        if (mode !== 'token' && query !== 0) continue; // one run covers the other modes
        if (mode === 'token' && query >= spec.length) continue;
        const token = mode === 'token' ? query : undefined;
        const cube = chunkScoreCube(chunk, spec.length, mode, token);
        assert.deepEqual([cube.layers, cube.heads, cube.tokens], [config.numHiddenLayers, config.numAttentionHeads, spec.length]);
        for (const layer of [undefined, ...Array(config.numHiddenLayers).keys()]) {
          for (const head of [undefined, ...Array(config.numAttentionHeads).keys()]) {
            const selection = { ...(layer === undefined ? {} : { layer }), ...(head === undefined ? {} : { head }) };
            const want = chunkAttentionScores(reference, spec.length, mode, selection, token);
            assertClose(selectScores(cube, selection), want, `row ${row} ${mode} token ${token} ${JSON.stringify(selection)}`);
            compared += 1;
          }
        }
      }
    }
  }
  return compared;
}

const BATCHES: readonly { name: string; rows: (max: number) => Row[] }[] = [
  { name: 'several globals', rows: (max) => [{ length: max, globals: [0, 5, Math.floor(max / 2)] }] },
  { name: 'no global token', rows: (max) => [{ length: max - 3, globals: [] }] },
  {
    name: 'a batch with padding, a row without globals and rows with fewer globals than the most',
    rows: (max) => [
      { length: max, globals: [0, 3] },
      { length: Math.floor(max / 2), globals: [] },
      { length: max - 7, globals: [9] },
    ],
  },
];

describe('attention cube: the token-scores graph gives HuggingFace-semantics maps for every layer and head', function () {
  this.timeout(300_000);
  let dir: string;
  const engines = new Map<string, OpenedEngine>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lens-cube-'));
    for (const name of ['base-tiny', 'cls-tiny', 'qa-tiny']) {
      engines.set(name, await openEngine(join(FIXTURES, name), { provider: TEST_PROVIDER, cacheDir: join(dir, 'cache') }));
    }
    // Dilation (which HuggingFace ignores) and a different window per layer: layer 1 sees every other token.
    const dilated = syntheticConfig({
      numHiddenLayers: 2,
      hiddenSize: 32,
      numAttentionHeads: 4,
      intermediateSize: 64,
      attentionWindow: [8, 4],
      attentionDilation: [1, 2],
      vocabSize: 120,
      maxPositionEmbeddings: 130,
    });
    await writeSyntheticCheckpoint(join(dir, 'dilated'), dilated, 23);
    engines.set('dilated', await openEngine(join(dir, 'dilated'), { provider: TEST_PROVIDER, cacheDir: join(dir, 'cache') }));
  });

  after(async () => {
    for (const engine of engines.values()) await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const name of ['base-tiny', 'cls-tiny', 'qa-tiny', 'dilated']) {
    for (const batch of BATCHES) {
      it(`${name}: ${batch.name}`, async () => {
        const engine = engines.get(name)!;
        const max = Math.min(engine.config.maxPositionEmbeddings - 4, 60);
        const compared = await checkBatch(engine, batch.rows(max), max);
        assert.ok(compared > 0);
      });
    }
  }

  it('refuses a query position outside the input, and attentions in the same run', async () => {
    const engine = engines.get('cls-tiny')!;
    const inputs = batchOf([{ length: 20, globals: [0] }], engine.config.vocabSize, 1);
    await assert.rejects(engine.run(inputs, [], { tokenScores: { query: 20 } }), lensError('BAD_ARGUMENT', /outside the 20-token input/));
    await assert.rejects(engine.run(inputs, ['attentions'], { tokenScores: { query: 0 } }), lensError('BAD_ARGUMENT', /not both/));
  });
});
