// `export --precision fp16` on WebGPU: the exported files in a plain onnxruntime session with the WebGPU provider,
// which multiplies in float16 where the adapter has shader-f16 (lavapipe has it), give HuggingFace's float32 outputs
// within the stated fp16 tolerance and the engine's own fp16 outputs on WebGPU. (On the CPU provider, which widens the
// float16 MatMuls to float32 on x64, test/integration/export.test.ts checks the same files.)
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { FP16_TOLERANCE } from '../../src/core/graph/half-precision';
import { openEngine } from '../../src/core/runtime/open';
import { type JsonTensor, maxDiff, plainOutputNames, readReference, toModelInputs, toOrtFeeds } from '../support/reference';
import { runCli } from '../support/run-cli';
import { FIXTURE_CASES, FIXTURES } from '../unit/checkpoint/support/checkpoint-files';

const TOKENIZER = join(__dirname, '..', 'fixtures', 'roberta-bpe');

describe('export --precision fp16 on WebGPU (plain onnxruntime)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lens-export-fp16-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of FIXTURE_CASES) {
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
        const reference = readReference(name);
        for (const input of reference.inputs) {
          const names = plainOutputNames(input);
          const results = await session.run(toOrtFeeds(input), names);
          const fromEngine = await engine.run(toModelInputs(input), names);
          for (const output of names) {
            const exported = results[output];
            const huggingFace = maxDiff(exported, input.outputs[output] as JsonTensor, `${input.name} ${output}`);
            assert.ok(huggingFace <= FP16_TOLERANCE[output]!, `${input.name} ${output}: max |diff| from HuggingFace ${huggingFace}`);
            const engineDiff = maxDiff(exported, fromEngine.tensors.get(output)!, `${input.name} ${output} (engine)`);
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
