// int8's calibration (runtime/int8-calibration.ts): the float32 graph with Gram outputs runs on the calibration tokens
// and gives, for every layer int8 quantizes, the Gram blocks of its inputs; the int8 graph rounds those layers with
// them (graph/int8/error-feedback-rounding.ts) instead of to nearest.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint } from '../../src/core/checkpoint/load';
import { groupSize } from '../../src/core/graph/int8/error-feedback-rounding';
import { buildLongformerGraph } from '../../src/core/graph/longformer/model';
import { benchInputs } from '../../src/core/bench/work';
import { calibrateInt8 } from '../../src/core/runtime/int8-calibration';
import { FIXTURES } from '../unit/checkpoint/support/checkpoint-files';

/** The int8 weight initializers of a graph, by name. */
function int8Weights(graph: ReturnType<typeof buildLongformerGraph>): Map<string, Int8Array> {
  const weights = new Map<string, Int8Array>();
  for (const [name, tensor] of graph.initializers) if (tensor.dtype === 'int8') weights.set(name, tensor.data as Int8Array);
  return weights;
}

describe('int8 calibration', function () {
  this.timeout(120_000);
  let work = '';
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'lens-calibration-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('gives symmetric Gram blocks for exactly the layers int8 quantizes, the same on every run, and leaves no files', async () => {
    const { config, weights } = await loadCheckpoint(join(FIXTURES, 'cls-tiny'));
    const first = await calibrateInt8(config, weights, join(work, 'a'));
    const second = await calibrateInt8(config, weights, join(work, 'b'));
    assert.ok(!existsSync(join(work, 'a')) && !existsSync(join(work, 'b')));
    const expected = [0, 1].flatMap((layer) =>
      ['attention.output.dense', 'intermediate.dense', 'output.dense'].map((name) => `encoder.layer.${layer}.${name}`),
    );
    assert.deepEqual([...first.keys()].sort(), expected.sort());
    for (const [name, blocks] of first) {
      const inFeatures = name.endsWith('.output.dense') && !name.includes('attention') ? config.intermediateSize : config.hiddenSize;
      const g = groupSize(inFeatures);
      assert.equal(blocks.length, inFeatures * g, name);
      for (let block = 0; block < inFeatures / g; block += 1) {
        for (let i = 0; i < g; i += 1) {
          assert.ok((blocks[block * g * g + i * g + i] ?? 0) > 0, `${name}: a diagonal entry is a sum of squares`);
          for (let j = 0; j < i; j += 1) {
            const [a, b] = [blocks[block * g * g + i * g + j] ?? 0, blocks[block * g * g + j * g + i] ?? 0];
            assert.ok(Math.abs(a - b) <= 1e-5 * Math.abs(a) + 1e-6, `${name}: symmetric at ${i},${j}`);
          }
        }
      }
      assert.deepEqual(second.get(name), blocks);
    }
  });

  it("calibrates on bench's input: ordinary token ids of the vocabulary, <s> first and </s> last", async () => {
    const { config } = await loadCheckpoint(join(FIXTURES, 'cls-tiny'));
    const ids = [...benchInputs(config, 60).inputIds].map(Number);
    assert.equal(ids[0], config.bosTokenId);
    assert.equal(ids.at(-1), config.eosTokenId);
    const specials = new Set([config.bosTokenId, config.padTokenId, config.eosTokenId, config.sepTokenId]);
    assert.ok(ids.slice(1, -1).every((id) => id < config.vocabSize && !specials.has(id)));
    assert.ok(new Set(ids).size > 40, 'a varied walk, not one repeated token');
  });

  it('rounds the int8 weights with the calibration: different from nearest rounding, inside the int7 range', async () => {
    const { config, weights } = await loadCheckpoint(join(FIXTURES, 'cls-tiny'));
    const calibration = await calibrateInt8(config, weights, join(work, 'c'));
    const nearest = int8Weights(buildLongformerGraph(config, weights, { attentions: 'none', precision: 'int8' }));
    const calibrated = int8Weights(
      buildLongformerGraph(config, weights, { attentions: 'none', precision: 'int8', int8Calibration: calibration }),
    );
    assert.deepEqual([...calibrated.keys()].sort(), [...nearest.keys()].sort());
    assert.equal(calibrated.size, 6);
    let changed = 0;
    for (const [name, q] of calibrated) {
      const reference = nearest.get(name) ?? new Int8Array();
      assert.ok(
        q.every((level) => Math.abs(level) <= 63),
        name,
      );
      for (let i = 0; i < q.length; i += 1) if (q[i] !== reference[i]) changed += 1;
    }
    assert.ok(changed > 0, 'error feedback moves some weights to the other neighbouring level');
  });
});
