// --precision fp16 on WebGPU: MatMuls and the embedding tables in float16, softmax, layer norm and the rest in
// float32 (graph/half-precision.ts). Checked against HuggingFace's float32 outputs on every fixture input, with the
// tolerances stated beside the rewrite (FP16_TOLERANCE), measured on Mesa's software Vulkan driver (lavapipe, which
// has shader-f16) with about 3x headroom.
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FP16_TOLERANCE } from '../../src/core/graph/half-precision';
import { WEIGHTS_FILE } from '../../src/core/runtime/model-cache';
import { openEngine } from '../../src/core/runtime/open';
import { defaultGlobalAttentionMask } from '../../src/core/runtime/request';
import { type JsonTensor, maxDiff, plainOutputNames, readReference, SIX_TOKENS, toModelInputs } from '../support/reference';
import { FIXTURE_CASES, FIXTURES } from '../unit/checkpoint/support/checkpoint-files';

describe('fp16 on WebGPU: parity with HuggingFace float32 within stated tolerances', () => {
  const worst = new Map<string, number>();
  let cacheDir = '';
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'lens-fp16-'));
  });
  after(async () => {
    await rm(cacheDir, { recursive: true, force: true });
    const lines = [...worst].map(
      ([name, diff]) => `      fp16 ${name.padEnd(20)} max |diff| ${diff.toExponential(2)} (tolerance ${FP16_TOLERANCE[name]})`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  });

  for (const caseName of FIXTURE_CASES) {
    it(`${caseName}: every input, every output`, async () => {
      const modelDir = join(FIXTURES, caseName);
      const engine = await openEngine(modelDir, { provider: 'webgpu', precision: 'fp16', cacheDir });
      try {
        assert.equal(engine.precision, 'fp16', engine.precisionNote);
        const reference = readReference(caseName);
        for (const input of reference.inputs) {
          const globalMask = input.global_attention_mask ?? defaultGlobalAttentionMask(engine.config, input.input_ids);
          const plain = plainOutputNames(input);
          const result = await engine.run(toModelInputs(input, globalMask), [...plain, 'attentions', 'global_attentions']);
          assert.equal(result.provider, 'webgpu');
          assert.equal(result.precision, 'fp16');
          const check = (name: string, diff: number): void => {
            worst.set(name, Math.max(worst.get(name) ?? 0, diff));
            assert.ok(diff <= (FP16_TOLERANCE[name] ?? 0), `${caseName} ${input.name} ${name}: max |diff| ${diff}`);
          };
          for (const name of plain) check(name, maxDiff(result.tensors.get(name), input.outputs[name] as JsonTensor, name));
          input.outputs['attentions'].forEach((expected, layer) =>
            check('attentions', maxDiff(result.attentions?.[layer], expected, `attentions[${layer}]`)),
          );
          const expectedGlobal = input.outputs['global_attentions'];
          if (expectedGlobal === null) assert.equal(result.globalAttentions, undefined);
          else
            expectedGlobal.forEach((expected, layer) =>
              check('global_attentions', maxDiff(result.globalAttentions?.[layer], expected, `global_attentions[${layer}]`)),
            );
        }
      } finally {
        await engine.dispose();
      }
    });
  }

  it('stores the MatMul weights in float16: a smaller weights file, and results that differ from fp32', async () => {
    const modelDir = join(FIXTURES, 'base-tiny');
    const half = await openEngine(modelDir, { provider: 'webgpu', precision: 'fp16', cacheDir });
    const full = await openEngine(modelDir, { provider: 'webgpu', precision: 'fp32', cacheDir });
    try {
      const halfBytes = (await stat(join(half.cache.directory, WEIGHTS_FILE))).size;
      const fullBytes = (await stat(join(full.cache.directory, WEIGHTS_FILE))).size;
      process.stdout.write(`      weights file: fp16 ${halfBytes} bytes, fp32 ${fullBytes} bytes\n`);
      // Biases under 1 KiB stay inside the model file, so the tiny model's weights file shrinks by less than half.
      assert.ok(halfBytes < 0.75 * fullBytes, `fp16 ${halfBytes} vs fp32 ${fullBytes}`);
      const a = (await half.run(SIX_TOKENS, ['last_hidden_state'])).tensors.get('last_hidden_state')!.data;
      const b = (await full.run(SIX_TOKENS, ['last_hidden_state'])).tensors.get('last_hidden_state')!.data;
      assert.ok(
        a.some((value, i) => value !== b[i]),
        'fp16 gave bit-identical results to fp32: it did not run',
      );
    } finally {
      await half.dispose();
      await full.dispose();
    }
  });
});
