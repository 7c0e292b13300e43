// `export --precision fp16` on WebGPU: the exported files in a plain onnxruntime session with the WebGPU provider,
// which multiplies in float16 where the adapter has shader-f16 (lavapipe has it), give HuggingFace's float32 outputs
// within the stated fp16 tolerance and the engine's own fp16 outputs on WebGPU. (On the CPU provider, which widens the
// float16 MatMuls to float32 on x64, test/integration/export.test.ts checks the same files.)
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { FP16_TOLERANCE } from '../../src/core/graph/half-precision';
import type { OutputName } from '../../src/core/runtime/engine';
import { openEngine } from '../../src/core/runtime/open';
import { runCli } from '../support/run-cli';

const FIXTURES = join(__dirname, '..', 'fixtures', 'longformer-ref');
const TOKENIZER = join(__dirname, '..', 'fixtures', 'roberta-bpe');
const CASES = ['base-tiny', 'cls-tiny', 'qa-tiny'] as const;

interface JsonTensor {
  readonly shape: number[];
  readonly data: unknown;
}
interface ReferenceInput {
  readonly name: string;
  readonly batch_size: number;
  readonly seq_len: number;
  readonly input_ids: number[][];
  readonly attention_mask: number[][];
  readonly global_attention_mask: number[][] | null;
  readonly derived_global_attention_mask: number[][] | null;
  readonly outputs: Record<string, JsonTensor | JsonTensor[] | null>;
}

const flatten = (data: unknown): number[] => (Array.isArray(data) ? data.flatMap(flatten) : [data as number]);

function maxDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++)
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) || (Number.isNaN(actual[i]) ? Infinity : 0));
  return worst;
}

describe('export --precision fp16 on WebGPU (plain onnxruntime)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lens-export-fp16-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of CASES) {
    it(`${name}: within the fp16 tolerance of HuggingFace, and the engine's fp16 outputs on WebGPU`, async () => {
      const model = join(dir, name);
      mkdirSync(model);
      for (const file of ['config.json', 'model.safetensors']) copyFileSync(join(FIXTURES, name, file), join(model, file));
      for (const file of ['vocab.json', 'merges.txt']) copyFileSync(join(TOKENIZER, file), join(model, file));
      const out = join(dir, `${name}-fp16`);
      const run = await runCli('export', '--model', model, '--out', out, '--precision', 'fp16');
      assert.equal(run.code, 0, run.stderr);

      const session = await ort.InferenceSession.create(join(out, 'model.onnx'), { executionProviders: ['webgpu'] });
      const engine = await openEngine(model, { provider: 'webgpu', precision: 'fp16', cacheDir: join(dir, 'cache') });
      try {
        assert.equal(engine.provider, 'webgpu');
        assert.equal(engine.precision, 'fp16', engine.precisionNote);
        const reference = JSON.parse(readFileSync(join(FIXTURES, name, 'reference.json'), 'utf8')) as { inputs: ReferenceInput[] };
        for (const input of reference.inputs) {
          const global = input.global_attention_mask ?? input.derived_global_attention_mask;
          assert.ok(global !== null);
          const big = (rows: number[][]): BigInt64Array => BigInt64Array.from(rows.flat(), (v) => BigInt(v));
          const dims = [input.batch_size, input.seq_len];
          const names = Object.keys(input.outputs).filter((key) => key !== 'attentions' && key !== 'global_attentions') as OutputName[];
          const results = await session.run(
            {
              input_ids: new ort.Tensor('int64', big(input.input_ids), dims),
              attention_mask: new ort.Tensor('int64', big(input.attention_mask), dims),
              global_attention_mask: new ort.Tensor('int64', big(global), dims),
            },
            names,
          );
          const fromEngine = await engine.run(
            {
              batchSize: input.batch_size,
              seqLen: input.seq_len,
              inputIds: big(input.input_ids),
              attentionMask: big(input.attention_mask),
              globalAttentionMask: big(global),
            },
            names,
          );
          for (const output of names) {
            const exported = results[output]!.data as Float32Array;
            const huggingFace = maxDiff(exported, flatten((input.outputs[output] as JsonTensor).data));
            assert.ok(huggingFace <= FP16_TOLERANCE[output]!, `${input.name} ${output}: max |diff| from HuggingFace ${huggingFace}`);
            const engineDiff = maxDiff(exported, fromEngine.tensors.get(output)!.data);
            assert.ok(engineDiff <= 1e-5, `${input.name} ${output}: max |diff| from the engine's fp16 run ${engineDiff}`);
          }
        }
      } finally {
        await session.release();
        await engine.dispose();
      }
    });
  }
});
