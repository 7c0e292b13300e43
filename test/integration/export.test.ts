// `export` against the fixtures: the exported files run in a plain onnxruntime session (no project code between
// the files and the session) and give HuggingFace's outputs and the engine's; the ONNX checker (Debian's
// python3-onnx) accepts the graph; the same checkpoint exports to the same bytes; the Triton entry is complete.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as ort from 'onnxruntime-node';
import { FP16_TOLERANCE } from '../../src/core/graph/half-precision';
import { INT8_LOGIT_BOUND } from '../../src/core/graph/longformer/weights';
import { runCli } from '../support/run-cli';
import { type JsonTensor, maxDiff, plainOutputNames, readReference, referenceGlobalMask, toOrtFeeds } from '../support/reference';
import { FIXTURES } from '../unit/checkpoint/support/checkpoint-files';

const TOKENIZER = join(__dirname, '..', 'fixtures', 'roberta-bpe');
const CASES = ['cls-tiny', 'qa-tiny', 'base-tiny'] as const;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(dir, path)).isFile())
    .sort();
}

/** Debian's python3-onnx (scripts/ci/install-python-onnx.sh); the pyenv python on PATH may lack it. */
function pythonWithOnnx(): string | undefined {
  return ['/usr/bin/python3', 'python3'].find((python) => spawnSync(python, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0);
}

describe('export', function () {
  this.timeout(300_000);
  let dir: string;
  let previousCache: string | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lens-export-'));
    previousCache = process.env['XDG_CACHE_HOME'];
    process.env['XDG_CACHE_HOME'] = join(dir, 'cache');
    for (const name of CASES) {
      mkdirSync(join(dir, name));
      for (const file of ['config.json', 'model.safetensors']) copyFileSync(join(FIXTURES, name, file), join(dir, name, file));
      for (const file of ['vocab.json', 'merges.txt']) copyFileSync(join(TOKENIZER, file), join(dir, name, file));
    }
  });

  after(() => {
    if (previousCache === undefined) delete process.env['XDG_CACHE_HOME'];
    else process.env['XDG_CACHE_HOME'] = previousCache;
    rmSync(dir, { recursive: true, force: true });
  });

  for (const name of CASES) {
    it(`${name}: a plain onnxruntime session on the exported files gives HuggingFace's and the engine's outputs`, async () => {
      const out = join(dir, `${name}-export`);
      const run = await runCli('export', '--model', join(dir, name), '--out', out);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /model\.onnx \+ model\.onnx\.data \(opset 17, fp32\)/);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
        inputs: { name: string }[];
        outputs: { name: string }[];
        name: string;
        attention_window: number[];
        source: { sha256: string };
      };
      assert.deepEqual(
        manifest.inputs.map((i) => i.name),
        ['input_ids', 'attention_mask', 'global_attention_mask'],
      );
      assert.equal(manifest.name, name);
      assert.match(manifest.source.sha256, /^[0-9a-f]{64}$/);
      assert.deepEqual(
        filesUnder(out),
        [
          'README.md',
          'config.json',
          'manifest.json',
          'merges.txt',
          'model.onnx',
          'model.onnx.data',
          `triton/${name}/1/model.onnx`,
          `triton/${name}/1/model.onnx.data`,
          `triton/${name}/config.pbtxt`,
          'vocab.json',
        ].sort(),
      );

      const reference = readReference(name);
      const session = await ort.InferenceSession.create(join(out, 'model.onnx'), { executionProviders: ['cpu'] });
      const triton = await ort.InferenceSession.create(join(out, 'triton', name, '1', 'model.onnx'), { executionProviders: ['cpu'] });
      try {
        assert.deepEqual([...session.outputNames].sort(), manifest.outputs.map((o) => o.name).sort());
        for (const input of reference.inputs) {
          const names = plainOutputNames(input);
          const results = await session.run(toOrtFeeds(input), names);
          // The engine's `run` on the same request, through the CLI.
          const request = join(dir, `${name}-${input.name}.json`);
          writeFileSync(
            request,
            JSON.stringify({
              input_ids: input.input_ids,
              attention_mask: input.attention_mask,
              global_attention_mask: referenceGlobalMask(input),
              outputs: names,
            }),
          );
          const engine = await runCli('run', '--model', join(dir, name), '--request', request, '--provider', 'cpu');
          assert.equal(engine.code, 0, engine.stderr);
          const engineOutputs = JSON.parse(engine.stdout) as Record<string, JsonTensor>;
          for (const output of names) {
            const actual = results[output]!;
            const fromHuggingFace = maxDiff(actual, input.outputs[output] as JsonTensor, `${input.name} ${output}`);
            assert.ok(fromHuggingFace <= 1e-4, `${input.name} ${output}: max |diff| from HuggingFace ${fromHuggingFace}`);
            const fromEngine = maxDiff(actual, engineOutputs[output]!, `${input.name} ${output} (engine)`);
            assert.ok(fromEngine <= 1e-5, `${input.name} ${output}: max |diff| from the engine ${fromEngine}`);
          }
        }
        const first = reference.inputs[0]!;
        const output = session.outputNames[session.outputNames.length - 1]!;
        const [a, b] = [await session.run(toOrtFeeds(first), [output]), await triton.run(toOrtFeeds(first), [output])];
        assert.deepEqual(a[output]!.data, b[output]!.data, 'the Triton copy is the same model');
      } finally {
        await session.release();
        await triton.release();
      }
    });
  }

  // onnxruntime's CPU provider runs the fp16 graph (on x64 it widens the float16 MatMuls to float32: measured max
  // |diff| from HuggingFace 2.4e-3 on hidden states, 9e-4 on logits), so plain onnxruntime checks it here against the
  // stated fp16 tolerance; test/webgpu/export-fp16.test.ts runs the same files on WebGPU, which multiplies in float16.
  for (const name of CASES) {
    it(`${name}: --precision fp16 writes the fp16 graph, said so in the manifest, within the fp16 tolerance in plain onnxruntime`, async () => {
      const out = join(dir, `${name}-fp16`);
      const run = await runCli('export', '--model', join(dir, name), '--out', out, '--precision', 'fp16');
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /model\.onnx \+ model\.onnx\.data \(opset 17, fp16\)/);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
        precision: string;
        precision_note: string;
        outputs: { name: string; dtype: string }[];
      };
      assert.equal(manifest.precision, 'fp16');
      assert.match(manifest.precision_note, /MatMul weights and operands and the embedding tables in float16/);
      assert.ok(
        manifest.outputs.every((o) => o.dtype === 'float32'),
        'outputs stay float32',
      );
      assert.match(readFileSync(join(out, 'README.md'), 'utf8'), /Precision: fp16\. MatMul weights/);
      const fp32Bytes = statSync(join(dir, `${name}-export`, 'model.onnx.data')).size;
      const fp16Bytes = statSync(join(out, 'model.onnx.data')).size;
      // Biases under 1 KiB stay inside model.onnx, so the tiny models' data files shrink by less than half.
      assert.ok(fp16Bytes < 0.75 * fp32Bytes, `fp16 data ${fp16Bytes} bytes vs fp32 ${fp32Bytes}`);

      const reference = readReference(name);
      // Severity 3 (errors only): the CPU provider warns that it cannot rename the widened global weights inside the
      // global branch's subgraph while removing the casts it inserted; the warning changes nothing.
      const half = await ort.InferenceSession.create(join(out, 'model.onnx'), { executionProviders: ['cpu'], logSeverityLevel: 3 });
      const full = await ort.InferenceSession.create(join(dir, `${name}-export`, 'model.onnx'), { executionProviders: ['cpu'] });
      try {
        let differs = false;
        for (const input of reference.inputs) {
          const names = plainOutputNames(input);
          const [halfResults, fullResults] = [await half.run(toOrtFeeds(input), names), await full.run(toOrtFeeds(input), names)];
          for (const output of names) {
            const diff = maxDiff(halfResults[output], input.outputs[output] as JsonTensor, `${input.name} ${output}`);
            assert.ok(diff <= FP16_TOLERANCE[output]!, `${input.name} ${output}: max |diff| from HuggingFace ${diff}`);
            const a = halfResults[output]!.data as Float32Array;
            const b = fullResults[output]!.data as Float32Array;
            differs ||= a.some((value, i) => value !== b[i]);
          }
        }
        assert.ok(differs, 'the fp16 export gave bit-identical results to the fp32 one: its weights are not float16');
      } finally {
        await half.release();
        await full.release();
      }
    });
  }

  // int8: the dense layers as onnxruntime's DynamicQuantizeMatMul. A plain session runs it; its logits stay within the
  // engine's int8 bound of the fp32 export's, and are not the fp32 ones (the weights really are int8).
  it('cls-tiny: --precision int8 writes the quantized graph, said so in the manifest, within the int8 bound in plain onnxruntime', async () => {
    const out = join(dir, 'cls-tiny-int8');
    const run = await runCli('export', '--model', join(dir, 'cls-tiny'), '--out', out, '--precision', 'int8');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /model\.onnx \+ model\.onnx\.data \(opset 17, int8\)/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { precision: string; precision_note: string };
    assert.equal(manifest.precision, 'int8');
    assert.match(manifest.precision_note, /DynamicQuantizeMatMul/);
    assert.match(readFileSync(join(out, 'README.md'), 'utf8'), /Precision: int8\./);
    const fp32Export = join(dir, 'cls-tiny-int8-reference');
    assert.equal((await runCli('export', '--model', join(dir, 'cls-tiny'), '--out', fp32Export)).code, 0);
    // Only the dense layers shrink (query/key/value, embeddings and the head stay float32).
    const [int8Bytes, fp32Bytes] = [statSync(join(out, 'model.onnx.data')).size, statSync(join(fp32Export, 'model.onnx.data')).size];
    assert.ok(int8Bytes < 0.9 * fp32Bytes, `int8 data ${int8Bytes} bytes vs fp32 ${fp32Bytes}`);

    const reference = readReference('cls-tiny');
    const quantized = await ort.InferenceSession.create(join(out, 'model.onnx'), { executionProviders: ['cpu'] });
    const full = await ort.InferenceSession.create(join(fp32Export, 'model.onnx'), { executionProviders: ['cpu'] });
    try {
      let differs = false;
      for (const input of reference.inputs) {
        const [q, f] = [await quantized.run(toOrtFeeds(input), ['logits']), await full.run(toOrtFeeds(input), ['logits'])];
        const [a, b] = [q['logits']!.data as Float32Array, f['logits']!.data as Float32Array];
        const width = b.length / input.batch_size;
        for (let row = 0; row < input.batch_size; row += 1) {
          const fp32Row = b.subarray(row * width, (row + 1) * width);
          const range = Math.max(...fp32Row) - Math.min(...fp32Row);
          fp32Row.forEach((value, i) => {
            const error = Math.abs((a[row * width + i] ?? 0) - value) / range;
            assert.ok(error <= INT8_LOGIT_BOUND, `${input.name} row ${row}: int8 logit off by ${error} of the range`);
          });
        }
        differs ||= a.some((value, i) => value !== b[i]);
      }
      assert.ok(differs, 'the int8 export gave bit-identical logits to the fp32 one: it is not quantized');
    } finally {
      await quantized.release();
      await full.release();
    }
  });

  it('passes the ONNX checker (python3-onnx): fp32 with and without attention outputs, fp16 and int8', async function () {
    const python = pythonWithOnnx();
    // CI installs it (scripts/ci/install-python-onnx.sh); a developer machine without it skips, saying so.
    if (python === undefined) this.skip();
    const out = join(dir, 'checked');
    assert.equal((await runCli('export', '--model', join(dir, 'qa-tiny'), '--out', out, '--attentions')).code, 0);
    const half = join(dir, 'checked-fp16');
    assert.equal((await runCli('export', '--model', join(dir, 'cls-tiny'), '--out', half, '--precision', 'fp16')).code, 0);
    const quantized = join(dir, 'checked-int8');
    assert.equal((await runCli('export', '--model', join(dir, 'cls-tiny'), '--out', quantized, '--precision', 'int8')).code, 0);
    const models = [out, join(dir, 'cls-tiny-export'), half, quantized].map((folder) => join(folder, 'model.onnx'));
    for (const model of models) {
      assert.ok(existsSync(model));
      execFileSync(python, ['-c', 'import onnx, sys; onnx.checker.check_model(sys.argv[1], full_check=True)', model]);
    }
  });

  it('with --attentions, outputs every layer attentions as HuggingFace lays them out', async () => {
    const out = join(dir, 'attentions');
    assert.equal((await runCli('export', '--model', join(dir, 'cls-tiny'), '--out', out, '--attentions')).code, 0);
    const reference = readReference('cls-tiny');
    const input = reference.inputs.find((candidate) => candidate.global_attention_mask !== null && candidate.batch_size === 2)!;
    const session = await ort.InferenceSession.create(join(out, 'model.onnx'));
    try {
      const expected = input.outputs['attentions'];
      const results = await session.run(
        toOrtFeeds(input),
        expected.map((_, layer) => `attentions.${layer}`),
      );
      expected.forEach((tensor, layer) => assert.ok(maxDiff(results[`attentions.${layer}`], tensor, `attentions.${layer}`) <= 1e-4));
    } finally {
      await session.release();
    }
    const config = readFileSync(join(out, 'triton', 'cls-tiny', 'config.pbtxt'), 'utf8');
    assert.match(config, /platform: "onnxruntime_onnx"/);
    assert.match(config, /name: "input_ids"\n {4}data_type: TYPE_INT64\n {4}dims: \[ -1, -1 \]/);
    assert.match(config, /name: "attentions\.0"\n {4}data_type: TYPE_FP32\n {4}dims: \[ -1, \d+, -1, -1 \]/);
  });

  it('is deterministic: the same checkpoint exports to the same bytes', async () => {
    const [a, b] = [join(dir, 'same-a'), join(dir, 'same-b')];
    for (const out of [a, b])
      assert.equal((await runCli('export', '--model', join(dir, 'cls-tiny'), '--out', out, '--name', 'cls')).code, 0);
    const files = filesUnder(a);
    assert.deepEqual(filesUnder(b), files);
    for (const file of files)
      assert.ok(readFileSync(join(a, file)).equals(readFileSync(join(b, file))), `${relative(a, join(a, file))} differs`);
  });

  it('refuses what it cannot do, and leaves a foreign folder alone', async () => {
    const unknown = await runCli('export', '--model', join(dir, 'cls-tiny'), '--out', join(dir, 'int4'), '--precision', 'int4');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--precision int4: unknown precision/);
    assert.ok(!existsSync(join(dir, 'int4')), 'a refused export writes nothing');
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    const refused = await runCli('export', '--model', join(dir, 'cls-tiny'), '--out', foreign);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /is not empty and holds no earlier export/);
    assert.equal(readFileSync(join(foreign, 'notes.txt'), 'utf8'), 'mine');
  });
});
