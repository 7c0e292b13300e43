// Synthetic checkpoints must be deterministic, shaped exactly as the loader expects for every head, and written in
// a format the real loader reads back bit for bit; other engineers' tests and benchmarks stand on this.
import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HeadKind } from '../../../src/core/checkpoint/config';
import { loadCheckpoint } from '../../../src/core/checkpoint/load';
import { expectedTensorShapes } from '../../../src/core/checkpoint/shapes';
import {
  FULL_SIZE_OPTIONS,
  huggingFaceConfigJson,
  syntheticConfig,
  syntheticWeights,
  writeSafetensors,
  writeSyntheticCheckpoint,
} from '../../../src/core/checkpoint/synthetic';
import type { FloatTensor, StateDict } from '../../../src/core/checkpoint/tensor';
import { elementCount } from '../../../src/core/checkpoint/tensor';

const HEADS: readonly HeadKind[] = ['base', 'sequence-classification', 'question-answering', 'token-classification', 'masked-lm'];

function floats(weights: StateDict, name: string): Float32Array {
  const tensor = weights.get(name);
  assert.ok(tensor?.dtype === 'float32', `${name} present and float32`);
  return tensor.data;
}

function std(values: Float32Array): number {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  return Math.sqrt(variance / values.length);
}

describe('synthetic checkpoints', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lens-synthetic-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds configs the config parser accepts, with per-layer windows and dilations', () => {
    const config = syntheticConfig({
      head: 'sequence-classification',
      numHiddenLayers: 3,
      attentionWindow: [2, 4, 6],
      attentionDilation: [1, 2, 3],
      numLabels: 4,
    });
    assert.equal(config.architecture, 'LongformerForSequenceClassification');
    assert.deepEqual(config.attentionWindow, [2, 4, 6]);
    assert.deepEqual(config.attentionDilation, [1, 2, 3]);
    assert.deepEqual(config.id2label, ['LABEL_0', 'LABEL_1', 'LABEL_2', 'LABEL_3']);
    const json = huggingFaceConfigJson(config);
    assert.deepEqual(json['attention_window'], [2, 4, 6]);
    assert.deepEqual(json['id2label'], { '0': 'LABEL_0', '1': 'LABEL_1', '2': 'LABEL_2', '3': 'LABEL_3' });
    assert.throws(() => syntheticConfig({ attentionWindow: 5 }), /even/);
    assert.throws(() => syntheticConfig({ hiddenSize: 30, numAttentionHeads: 4 }), /divide/);
  });

  for (const head of HEADS) {
    it(`has exactly the tensors and shapes the loader expects (${head})`, () => {
      const config = syntheticConfig({ head });
      const weights = syntheticWeights(config, 7);
      const expected = expectedTensorShapes(config);
      assert.deepEqual([...weights.keys()].sort(), [...expected.keys()].sort());
      for (const [name, shape] of expected) {
        const tensor = weights.get(name);
        assert.deepEqual(tensor?.shape, shape, name);
        assert.equal(tensor?.data.length, elementCount(shape), name);
      }
    });
  }

  it('is deterministic in the seed, and each tensor depends only on (seed, name)', () => {
    const config = syntheticConfig({ head: 'question-answering' });
    const a = syntheticWeights(config, 42);
    const b = syntheticWeights(config, 42);
    const c = syntheticWeights(config, 43);
    for (const name of a.keys()) assert.deepEqual(floats(a, name), floats(b, name), name);
    const query = 'encoder.layer.0.attention.self.query.weight';
    assert.notDeepEqual(floats(a, query), floats(c, query));
    // Different tensors of one model must not share a stream.
    assert.notDeepEqual(floats(a, query), floats(a, 'encoder.layer.0.attention.self.key.weight'));
    const deeper = syntheticWeights(syntheticConfig({ head: 'base', numHiddenLayers: 3 }), 42);
    assert.deepEqual(floats(deeper, query), floats(a, query));
  });

  it('draws values at the documented scales', () => {
    const config = syntheticConfig({ hiddenSize: 64, intermediateSize: 256, vocabSize: 500 });
    const weights = syntheticWeights(config, 1);
    const near = (actual: number, expected: number, name: string): void =>
      assert.ok(Math.abs(actual - expected) < 0.1 * expected, `${name}: std ${actual}, expected about ${expected}`);
    near(std(floats(weights, 'embeddings.word_embeddings.weight')), 0.2, 'word embeddings');
    near(std(floats(weights, 'encoder.layer.0.intermediate.dense.weight')), 1 / 8, 'intermediate (in 64)');
    near(std(floats(weights, 'encoder.layer.0.output.dense.weight')), 1 / 16, 'output (in 256)');
    const gain = floats(weights, 'encoder.layer.1.output.LayerNorm.weight');
    assert.ok(
      gain.every((v) => Math.abs(v - 1) < 0.1),
      'LayerNorm gains near 1',
    );
    assert.ok(Math.abs(std(gain) - 0.05) < 0.02, 'LayerNorm gains vary');
  });

  it('ties the masked-LM decoder to the word embeddings', () => {
    const weights = syntheticWeights(syntheticConfig({ head: 'masked-lm' }), 3);
    assert.equal(weights.get('lm_head.decoder.weight'), weights.get('embeddings.word_embeddings.weight'));
    assert.equal(weights.get('lm_head.decoder.bias'), weights.get('lm_head.bias'));
  });

  for (const head of HEADS) {
    it(`writes a folder that loadCheckpoint reads back exactly (${head})`, async () => {
      const config = syntheticConfig({ head, numHiddenLayers: 2, attentionWindow: [4, 2], attentionDilation: [2, 1] });
      const written = await writeSyntheticCheckpoint(dir, config, 11, { format: 'safetensors' });
      const loaded = await loadCheckpoint(dir);
      assert.deepEqual(loaded.config, config);
      assert.equal(loaded.format, 'safetensors');
      assert.deepEqual([...loaded.weights.keys()].sort(), [...written.keys()].sort());
      for (const name of written.keys()) assert.deepEqual(floats(loaded.weights, name), floats(written, name), name);
    });
  }

  it('lays out model.safetensors as HF does: aligned header, metadata, sorted data, longformer. prefix', async () => {
    const config = syntheticConfig({ head: 'question-answering' });
    await writeSyntheticCheckpoint(dir, config, 5);
    const file = await readFile(join(dir, 'model.safetensors'));
    const headerLength = Number(file.readBigUInt64LE(0));
    assert.equal(headerLength % 8, 0, 'header padded to 8 bytes');
    const header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { data_offsets?: [number, number] }>;
    assert.deepEqual(header['__metadata__'], { format: 'pt' });
    const names = Object.keys(header).filter((name) => name !== '__metadata__');
    assert.ok(names.includes('longformer.encoder.layer.0.attention.self.query_global.weight'));
    assert.ok(names.includes('qa_outputs.weight'));
    const byOffset = [...names].sort((a, b) => (header[a]?.data_offsets?.[0] ?? 0) - (header[b]?.data_offsets?.[0] ?? 0));
    assert.deepEqual(byOffset, [...names].sort(), 'data in sorted-name order');
    const last = header[byOffset[byOffset.length - 1] ?? '']?.data_offsets?.[1];
    assert.equal(8 + headerLength + (last ?? -1), file.byteLength, 'data ends at the end of the file');
  });

  it('refuses a tensor whose data does not fit its shape', async () => {
    const bad: FloatTensor = { dtype: 'float32', shape: [2, 3], data: new Float32Array(5) };
    await assert.rejects(writeSafetensors(join(dir, 'x.safetensors'), new Map([['x', bad]])), /5 values/);
  });

  it('describes the full-size model (longformer-base shapes, about 149M parameters)', () => {
    const config = syntheticConfig(FULL_SIZE_OPTIONS);
    assert.equal(config.attentionWindow.length, 12);
    let parameters = 0;
    for (const shape of expectedTensorShapes(config).values()) parameters += elementCount(shape);
    // longformer-base-4096: 148,659,456 parameters with the pooler.
    assert.equal(parameters, 148_659_456);
  });
});
