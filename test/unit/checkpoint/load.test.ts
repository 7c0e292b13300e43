// loadCheckpoint end to end: every fixture in both formats, canonical names, sharded layouts, and the weight
// checks that name each missing, unexpected or misshapen tensor.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isLensError } from '../../../src/core/errors';
import { expectedTensorShapes, loadCheckpoint } from '../../../src/core/checkpoint/load';
import { readSafetensors } from '../../../src/core/checkpoint/safetensors';
import type { Tensor } from '../../../src/core/checkpoint/tensor';
import {
  copyFixture,
  encodeLegacyShared,
  encodeSafetensors,
  encodeTorchZip,
  FIXTURE_CASES,
  FIXTURES,
  tempDir,
  type RawTensor,
} from './support/checkpoint-files';
import { lensError } from '../../support/lens-error';

interface Reference {
  readonly num_parameters: number;
  readonly tensor_names: string[];
}

function reference(name: string): Reference {
  return JSON.parse(readFileSync(join(FIXTURES, name, 'reference.json'), 'utf8')) as Reference;
}

function bytesOf(tensor: Tensor): Buffer {
  return Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
}

/** The fixture's tensors as raw F32 bytes under their stored names, ready to be edited and written back. */
function fixtureTensors(name: string): Map<string, RawTensor> {
  const tensors = readSafetensors(readFileSync(join(FIXTURES, name, 'model.safetensors')), name);
  return new Map(
    [...tensors].map(([key, { tensor }]) => [key, { dtype: 'F32', shape: tensor.shape, bytes: new Uint8Array(bytesOf(tensor)) }]),
  );
}

/** A folder with the fixture's config.json (optionally edited) and the given weight files. */
async function checkpointDir(
  root: string,
  fixture: string,
  files: Record<string, Uint8Array | string>,
  editConfig: (json: Record<string, unknown>) => void = () => undefined,
): Promise<string> {
  const dir = join(root, `ckpt-${Math.random().toString(36).slice(2)}`);
  await mkdir(dir);
  const config = JSON.parse(await readFile(join(FIXTURES, fixture, 'config.json'), 'utf8')) as Record<string, unknown>;
  editConfig(config);
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  for (const [file, contents] of Object.entries(files)) await writeFile(join(dir, file), contents);
  return dir;
}

describe('loadCheckpoint', () => {
  let root: string;
  beforeEach(async () => {
    root = await tempDir();
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  for (const name of FIXTURE_CASES) {
    it(`loads ${name} from safetensors and from .bin with identical canonical weights`, async () => {
      const fromSafetensors = await loadCheckpoint(await copyFixture(name, 'safetensors', root));
      const fromBin = await loadCheckpoint(await copyFixture(name, 'pytorch', root));
      assert.equal(fromSafetensors.format, 'safetensors');
      assert.equal(fromBin.format, 'pytorch');
      assert.match(fromBin.files[0]!, /pytorch_model\.bin$/);
      for (const checkpoint of [fromSafetensors, fromBin]) {
        assert.equal(checkpoint.parameterCount, reference(name).num_parameters);
        assert.equal(checkpoint.sourceDtype, 'F32');
        assert.deepEqual([...checkpoint.weights.keys()], [...expectedTensorShapes(checkpoint.config).keys()]);
      }
      // Canonical names are the stored names without the `longformer.` prefix.
      const canonical = reference(name)
        .tensor_names.map((stored) => stored.replace(/^longformer\./, ''))
        .sort();
      assert.deepEqual([...fromBin.weights.keys()].sort(), canonical);
      for (const [tensorName, tensor] of fromSafetensors.weights) {
        const other = fromBin.weights.get(tensorName)!;
        assert.deepEqual(tensor.shape, other.shape);
        assert.ok(bytesOf(tensor).equals(bytesOf(other)), `${tensorName} differs between formats`);
      }
    });
  }

  it('prefers model.safetensors when both formats are present', async () => {
    const checkpoint = await loadCheckpoint(join(FIXTURES, 'cls-tiny'));
    assert.equal(checkpoint.format, 'safetensors');
    assert.deepEqual(checkpoint.files, [join(FIXTURES, 'cls-tiny', 'model.safetensors')]);
    assert.equal(checkpoint.config.head, 'sequence-classification');
    assert.deepEqual(checkpoint.weights.get('classifier.out_proj.weight')!.shape, [3, 32]);
  });

  it('reads sharded safetensors and sharded .bin through their index', async () => {
    const tensors = fixtureTensors('qa-tiny');
    const names = [...tensors.keys()];
    const half = Math.floor(names.length / 2);
    const parts = [
      new Map(names.slice(0, half).map((n) => [n, tensors.get(n)!])),
      new Map(names.slice(half).map((n) => [n, tensors.get(n)!])),
    ];
    const weightMap = (files: [string, string]) => Object.fromEntries(names.map((n, i) => [n, i < half ? files[0] : files[1]]));

    const stFiles: [string, string] = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
    const stDir = await checkpointDir(root, 'qa-tiny', {
      [stFiles[0]]: encodeSafetensors(parts[0]!),
      [stFiles[1]]: encodeSafetensors(parts[1]!),
      'model.safetensors.index.json': JSON.stringify({ metadata: {}, weight_map: weightMap(stFiles) }),
    });
    const binFiles: [string, string] = ['pytorch_model-00001-of-00002.bin', 'pytorch_model-00002-of-00002.bin'];
    const binDir = await checkpointDir(root, 'qa-tiny', {
      [binFiles[0]]: encodeTorchZip(parts[0]!),
      [binFiles[1]]: encodeTorchZip(parts[1]!),
      'pytorch_model.bin.index.json': JSON.stringify({ weight_map: weightMap(binFiles) }),
    });
    const whole = await loadCheckpoint(await copyFixture('qa-tiny', 'safetensors', root));
    for (const [dir, format, files] of [
      [stDir, 'safetensors', stFiles],
      [binDir, 'pytorch', binFiles],
    ] as const) {
      const checkpoint = await loadCheckpoint(dir);
      assert.equal(checkpoint.format, format);
      assert.deepEqual(
        checkpoint.files,
        files.map((file) => join(dir, file)),
      );
      assert.equal(checkpoint.parameterCount, reference('qa-tiny').num_parameters);
      for (const [name, tensor] of whole.weights) assert.ok(bytesOf(tensor).equals(bytesOf(checkpoint.weights.get(name)!)), name);
    }
  });

  it('refuses shard indexes that point outside the folder or at tensors a shard lacks', async () => {
    const escaping = await checkpointDir(root, 'qa-tiny', {
      'model.safetensors.index.json': JSON.stringify({ weight_map: { 'qa_outputs.bias': '../secret.safetensors' } }),
    });
    await assert.rejects(
      loadCheckpoint(escaping),
      lensError('BAD_CHECKPOINT', /weight_map\["qa_outputs\.bias"\] is "\.\.\/secret\.safetensors"/),
    );

    const tensors = fixtureTensors('qa-tiny');
    const weightMap = Object.fromEntries([...tensors.keys()].map((n) => [n, 'model-1.safetensors']));
    weightMap['ghost.weight'] = 'model-1.safetensors';
    const lying = await checkpointDir(root, 'qa-tiny', {
      'model-1.safetensors': encodeSafetensors(tensors),
      'model.safetensors.index.json': JSON.stringify({ weight_map: weightMap }),
    });
    await assert.rejects(
      loadCheckpoint(lying),
      lensError('BAD_CHECKPOINT', /lists 1 tensor\(s\) that their shards do not hold, e\.g\. "ghost\.weight"/),
    );
  });

  it('names each missing tensor with its expected shape', async () => {
    const tensors = fixtureTensors('cls-tiny');
    tensors.delete('longformer.encoder.layer.1.attention.self.key_global.weight');
    tensors.delete('classifier.out_proj.bias');
    const dir = await checkpointDir(root, 'cls-tiny', { 'model.safetensors': encodeSafetensors(tensors) });
    await assert.rejects(
      loadCheckpoint(dir),
      lensError(
        'WEIGHTS_MISMATCH',
        /missing 2 tensor\(s\): encoder\.layer\.1\.attention\.self\.key_global\.weight \[32, 32\], classifier\.out_proj\.bias \[3\]/,
      ),
    );
  });

  it('names a tensor of the wrong shape with both shapes', async () => {
    const tensors = fixtureTensors('cls-tiny');
    // Three labels in the weights, four in the config.
    const dir = await checkpointDir(root, 'cls-tiny', { 'pytorch_model.bin': encodeTorchZip(tensors) }, (json) => {
      json['id2label'] = { '0': 'a', '1': 'b', '2': 'c', '3': 'd' };
    });
    await assert.rejects(loadCheckpoint(dir), (error: unknown) => {
      assert.ok(isLensError(error));
      assert.equal(error.code, 'WEIGHTS_MISMATCH');
      assert.match(error.message, /pytorch_model\.bin does not fit LongformerForSequenceClassification/);
      assert.match(error.message, /classifier\.out_proj\.weight is \[3, 32\], expected \[4, 32\]/);
      assert.match(error.message, /classifier\.out_proj\.bias is \[3\], expected \[4\]/);
      return true;
    });
  });

  it('lists unexpected tensors, ignores position_ids buffers, and renames gamma/beta', async () => {
    const tensors = fixtureTensors('qa-tiny');
    const ids = new BigInt64Array(64).map((_, i) => BigInt(i));
    tensors.set('longformer.embeddings.position_ids', { dtype: 'I64', shape: [1, 64], bytes: new Uint8Array(ids.buffer) });
    for (const [stored, renamed] of [
      ['weight', 'gamma'],
      ['bias', 'beta'],
    ] as const) {
      const old = `longformer.encoder.layer.0.output.LayerNorm.${stored}`;
      tensors.set(`longformer.encoder.layer.0.output.LayerNorm.${renamed}`, tensors.get(old)!);
      tensors.delete(old);
    }
    const fine = await loadCheckpoint(await checkpointDir(root, 'qa-tiny', { 'model.safetensors': encodeSafetensors(tensors) }));
    assert.ok(fine.weights.has('encoder.layer.0.output.LayerNorm.weight'));
    assert.ok(!fine.weights.has('embeddings.position_ids'));
    assert.equal(fine.parameterCount, reference('qa-tiny').num_parameters);

    assert.deepEqual(fine.ignoredTensors, [
      { name: 'longformer.embeddings.position_ids', reason: 'a buffer that the model computes itself, not a weight' },
    ]);

    tensors.set('bert.pooler.dense.weight', { dtype: 'F32', shape: [1], bytes: new Uint8Array(4) });
    tensors.set('__proto__', { dtype: 'F32', shape: [1], bytes: new Uint8Array(4) });
    const dir = await checkpointDir(root, 'qa-tiny', { 'model.safetensors': encodeSafetensors(tensors) });
    await assert.rejects(
      loadCheckpoint(dir),
      lensError(
        'WEIGHTS_MISMATCH',
        /unexpected 2 tensor\(s\): (bert\.pooler\.dense\.weight, __proto__|__proto__, bert\.pooler\.dense\.weight)/,
      ),
    );
  });

  it('allows a bare model without its pooler, but not half a pooler', async () => {
    const tensors = fixtureTensors('base-tiny');
    tensors.delete('pooler.dense.weight');
    const half = await checkpointDir(root, 'base-tiny', { 'model.safetensors': encodeSafetensors(tensors) });
    await assert.rejects(loadCheckpoint(half), lensError('WEIGHTS_MISMATCH', /missing 1 tensor\(s\): pooler\.dense\.weight \[32, 32\]/));
    tensors.delete('pooler.dense.bias');
    const none = await loadCheckpoint(await checkpointDir(root, 'base-tiny', { 'model.safetensors': encodeSafetensors(tensors) }));
    assert.ok(!none.weights.has('pooler.dense.weight'));
    assert.equal(none.parameterCount, reference('base-tiny').num_parameters - 32 * 32 - 32);
  });

  it('ignores the pooler that task checkpoints from older transformers versions carry', async () => {
    const tensors = fixtureTensors('cls-tiny');
    tensors.set('longformer.pooler.dense.weight', { dtype: 'F32', shape: [32, 32], bytes: new Uint8Array(32 * 32 * 4) });
    tensors.set('longformer.pooler.dense.bias', { dtype: 'F32', shape: [32], bytes: new Uint8Array(32 * 4) });
    const checkpoint = await loadCheckpoint(await checkpointDir(root, 'cls-tiny', { 'model.safetensors': encodeSafetensors(tensors) }));
    assert.ok(!checkpoint.weights.has('pooler.dense.weight'));
    assert.equal(checkpoint.parameterCount, reference('cls-tiny').num_parameters);
    assert.deepEqual(
      checkpoint.ignoredTensors.map(({ name }) => name),
      ['longformer.pooler.dense.weight', 'longformer.pooler.dense.bias'],
    );
    assert.match(checkpoint.ignoredTensors[0]!.reason, /the bare model's pooler, which LongformerForSequenceClassification does not have/);
  });

  it('reads a 2020 masked-LM checkpoint as published: legacy format, longformer. prefix, lm_head.*, position_ids, no architectures', async () => {
    // What allenai/longformer-base-4096 holds: LongformerForMaskedLM's state dict, a config written before
    // `architectures` was saved, with the original implementation's keys (attention_mode, ...).
    const base = fixtureTensors('base-tiny');
    const tensors = new Map<string, RawTensor>([...base].map(([name, tensor]) => [`longformer.${name}`, tensor]));
    const floats = (shape: number[], value: number): RawTensor => ({
      dtype: 'F32',
      shape,
      bytes: new Uint8Array(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value).buffer),
    });
    tensors.set('lm_head.dense.weight', floats([32, 32], 0.5));
    tensors.set('lm_head.dense.bias', floats([32], 0.5));
    tensors.set('lm_head.layer_norm.weight', floats([32], 1));
    tensors.set('lm_head.layer_norm.bias', floats([32], 0));
    tensors.set('lm_head.decoder.weight', floats([120, 32], 0.25));
    tensors.set('lm_head.bias', floats([120], 0));
    const dir = await checkpointDir(root, 'base-tiny', { 'pytorch_model.bin': encodeLegacyShared(tensors, 80) }, (json) => {
      delete json['architectures'];
      Object.assign(json, { attention_mode: 'longformer', ignore_attention_mask: false, gradient_checkpointing: false });
    });
    const checkpoint = await loadCheckpoint(dir);
    assert.equal(checkpoint.config.architecture, 'LongformerModel');
    assert.equal(checkpoint.config.head, 'base');
    for (const [name, tensor] of base) assert.ok(bytesOf(checkpoint.weights.get(name)!).equals(tensor.bytes), name);
    assert.equal(checkpoint.parameterCount, reference('base-tiny').num_parameters);
    const ignored = new Map(checkpoint.ignoredTensors.map(({ name, reason }) => [name, reason]));
    assert.deepEqual([...ignored.keys()].sort(), [
      'lm_head.bias',
      'lm_head.decoder.weight',
      'lm_head.dense.bias',
      'lm_head.dense.weight',
      'lm_head.layer_norm.bias',
      'lm_head.layer_norm.weight',
      'longformer.embeddings.position_ids',
    ]);
    assert.equal(ignored.get('lm_head.dense.weight'), "the masked-LM head's weights, which LongformerModel does not use");
    assert.deepEqual(checkpoint.notes, [
      "config.json names no architectures, so the checkpoint is read as LongformerModel, as transformers' AutoModel reads it",
      'the weights also hold a masked-lm head: `classify --labels` (zero-shot) reads the checkpoint as LongformerForMaskedLM, as AutoModelForMaskedLM does',
      "the weights are in torch.save's legacy (pre-1.6) format, read by the restricted unpickler without running anything",
    ]);

    // Zero-shot classification asks for the masked-LM head, as AutoModelForMaskedLM would build it: lm_head.* is used,
    // and the bare model's pooler, which LongformerForMaskedLM does not have, is left out.
    const forMaskedLm = await loadCheckpoint(dir, { head: 'masked-lm' });
    assert.equal(forMaskedLm.config.architecture, 'LongformerForMaskedLM');
    assert.equal(forMaskedLm.config.autoClass, 'AutoModelForMaskedLM');
    assert.ok(bytesOf(forMaskedLm.weights.get('lm_head.decoder.weight')!).equals(tensors.get('lm_head.decoder.weight')!.bytes));
    assert.deepEqual(
      forMaskedLm.ignoredTensors.map(({ name }) => name),
      ['longformer.embeddings.position_ids', 'longformer.pooler.dense.weight', 'longformer.pooler.dense.bias'],
    );
    assert.equal(
      forMaskedLm.notes[0],
      "config.json names no architectures, so the checkpoint is read as LongformerForMaskedLM, as transformers' AutoModelForMaskedLM reads it",
    );
  });

  it('reports BF16 and mixed source dtypes and widens the weights', async () => {
    const tensors = fixtureTensors('qa-tiny');
    // bfloat16 by truncation: the top 16 bits of each float32, so the expected widened value is exact.
    const toHalf = (raw: RawTensor): RawTensor => {
      const bits = new Uint32Array(raw.bytes.slice().buffer);
      const words = new Uint16Array(bits.length);
      for (let i = 0; i < bits.length; i += 1) words[i] = bits[i]! >>> 16;
      return { dtype: 'BF16', shape: raw.shape, bytes: new Uint8Array(words.buffer) };
    };
    const all = new Map([...tensors].map(([name, raw]) => [name, toHalf(raw)]));
    const bf16 = await loadCheckpoint(await checkpointDir(root, 'qa-tiny', { 'model.safetensors': encodeSafetensors(all) }));
    assert.equal(bf16.sourceDtype, 'BF16');
    const original = new Float32Array(tensors.get('qa_outputs.weight')!.bytes.slice().buffer);
    const widened = bf16.weights.get('qa_outputs.weight')!.data as Float32Array;
    for (let i = 0; i < original.length; i += 1) {
      assert.equal(widened[i], new Float32Array(new Uint32Array([new Uint32Array(original.buffer)[i]! & 0xffff0000]).buffer)[0]);
    }

    const mixed = new Map(tensors);
    mixed.set('qa_outputs.weight', toHalf(tensors.get('qa_outputs.weight')!));
    const checkpoint = await loadCheckpoint(await checkpointDir(root, 'qa-tiny', { 'model.safetensors': encodeSafetensors(mixed) }));
    assert.equal(checkpoint.sourceDtype, 'mixed');
  });

  it('fills the tied masked-LM decoder from the word embeddings and counts it once', async () => {
    const tensors = fixtureTensors('base-tiny');
    tensors.delete('pooler.dense.weight');
    tensors.delete('pooler.dense.bias');
    const zeros = (shape: number[]): RawTensor => ({ dtype: 'F32', shape, bytes: new Uint8Array(shape.reduce((a, b) => a * b, 4)) });
    tensors.set('lm_head.dense.weight', zeros([32, 32]));
    tensors.set('lm_head.dense.bias', zeros([32]));
    tensors.set('lm_head.layer_norm.weight', zeros([32]));
    tensors.set('lm_head.layer_norm.bias', zeros([32]));
    tensors.set('lm_head.bias', zeros([120]));
    const dir = await checkpointDir(root, 'base-tiny', { 'model.safetensors': encodeSafetensors(tensors) }, (json) => {
      json['architectures'] = ['LongformerForMaskedLM'];
    });
    const checkpoint = await loadCheckpoint(dir);
    assert.equal(checkpoint.config.head, 'masked-lm');
    assert.equal(checkpoint.weights.get('lm_head.decoder.weight'), checkpoint.weights.get('embeddings.word_embeddings.weight'));
    assert.equal(checkpoint.weights.get('lm_head.decoder.bias'), checkpoint.weights.get('lm_head.bias'));
    const base = reference('base-tiny').num_parameters - 32 * 32 - 32;
    assert.equal(checkpoint.parameterCount, base + 32 * 32 + 32 + 32 + 32 + 120);
  });

  it('refuses folders without config.json or weights, and bad configs, naming the file', async () => {
    const noConfig = join(root, 'empty');
    await mkdir(noConfig);
    await copyFile(join(FIXTURES, 'qa-tiny', 'model.safetensors'), join(noConfig, 'model.safetensors'));
    await assert.rejects(loadCheckpoint(noConfig), lensError('BAD_CONFIG', /config\.json: cannot read config\.json \(ENOENT\)/));

    const noWeights = await checkpointDir(root, 'qa-tiny', {});
    await assert.rejects(loadCheckpoint(noWeights), lensError('NOT_FOUND', /holds no weights: looked for model\.safetensors/));

    const oddWindow = await checkpointDir(root, 'qa-tiny', {}, (json) => {
      json['attention_window'] = [6, 5];
    });
    await assert.rejects(
      loadCheckpoint(oddWindow),
      lensError('BAD_CONFIG', new RegExp(`${oddWindow}/config\\.json: attention_window\\[1\\] is 5`)),
    );

    const notJson = await checkpointDir(root, 'qa-tiny', {});
    await writeFile(join(notJson, 'config.json'), '{"hidden_size": ');
    await assert.rejects(loadCheckpoint(notJson), lensError('BAD_CONFIG', /config\.json: not valid JSON/));
  });

  it('stops with CANCELLED when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(loadCheckpoint(join(FIXTURES, 'qa-tiny'), { signal: controller.signal }), lensError('CANCELLED', /Cancelled/));
  });
});
