// The engine against HuggingFace: every input of every fixture case (test/fixtures/longformer-ref, computed with
// transformers' PyTorch Longformer), every output including attentions and global_attentions, from both weight
// formats. Prints the largest difference per case and output.
import { strict as assert } from 'node:assert';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine, type OpenedEngine } from '../../src/core/runtime/open';
import { defaultGlobalAttentionMask } from '../../src/core/runtime/request';
import { TEST_PROVIDER } from '../support/provider';
import { type JsonTensor, maxDiff, plainOutputNames, readReference, toModelInputs } from '../support/reference';
import { FIXTURE_CASES, FIXTURES } from '../unit/checkpoint/support/checkpoint-files';

const FORMATS = ['safetensors', 'pytorch'] as const;
const TOLERANCE = 1e-4;

const worstByCaseOutput = new Map<string, number>();
function record(key: string, diff: number): void {
  worstByCaseOutput.set(key, Math.max(worstByCaseOutput.get(key) ?? 0, diff));
}

describe('engine parity with HuggingFace (fixtures, every input, every output)', function () {
  let cacheDir = '';
  before(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'lens-parity-cache-'));
  });
  after(async () => {
    await rm(cacheDir, { recursive: true, force: true });
    const lines = [...worstByCaseOutput].map(([key, diff]) => `      ${key.padEnd(52)} max |diff| ${diff.toExponential(2)}`);
    process.stdout.write(`\n    largest differences from HuggingFace:\n${lines.join('\n')}\n`);
  });

  for (const format of FORMATS) {
    for (const caseName of FIXTURE_CASES) {
      describe(`${caseName} (${format})`, () => {
        const reference = readReference(caseName);
        let engine: OpenedEngine | undefined;
        let modelDir = '';
        before(async () => {
          // loadCheckpoint prefers safetensors, so the pytorch run gets a folder without it.
          modelDir = await mkdtemp(join(tmpdir(), `lens-parity-${caseName}-`));
          const weightsFile = format === 'safetensors' ? 'model.safetensors' : 'pytorch_model.bin';
          await copyFile(join(FIXTURES, caseName, 'config.json'), join(modelDir, 'config.json'));
          await copyFile(join(FIXTURES, caseName, weightsFile), join(modelDir, weightsFile));
          engine = await openEngine(modelDir, { provider: TEST_PROVIDER, threads: 1, cacheDir });
        });
        after(async () => {
          await engine?.dispose();
          await rm(modelDir, { recursive: true, force: true });
        });

        it(`runs on the ${TEST_PROVIDER} provider as asked`, () => {
          assert.equal(engine?.provider, TEST_PROVIDER);
          assert.equal(engine?.providerNote, undefined);
        });

        for (const input of reference.inputs) {
          it(input.name, async () => {
            assert.ok(engine !== undefined);
            let globalMask = input.global_attention_mask;
            if (input.global_attention_mask_omitted) {
              // The engine takes an explicit mask; the request layer derives HuggingFace's default.
              globalMask = defaultGlobalAttentionMask(engine.config, input.input_ids);
              assert.deepEqual(globalMask, input.derived_global_attention_mask);
            }
            assert.ok(globalMask !== null);
            const plainNames = plainOutputNames(input);
            const result = await engine.run(toModelInputs(input, globalMask), [...plainNames, 'attentions', 'global_attentions']);
            assert.equal(result.provider, TEST_PROVIDER);
            for (const name of plainNames) {
              const expected = input.outputs[name] as JsonTensor;
              const actual = result.tensors.get(name);
              assert.ok(actual !== undefined, `missing ${name}`);
              const diff = maxDiff(actual, expected, name);
              record(`${caseName} ${format} ${name}`, diff);
              assert.ok(diff <= TOLERANCE, `${name}: max |diff| ${diff}`);
            }
            const expectedAttentions = input.outputs['attentions'];
            assert.equal(result.attentions?.length, expectedAttentions.length);
            expectedAttentions.forEach((expected, layer) => {
              const diff = maxDiff(result.attentions?.[layer], expected, `attentions[${layer}]`);
              record(`${caseName} ${format} attentions`, diff);
              assert.ok(diff <= TOLERANCE, `attentions[${layer}]: max |diff| ${diff}`);
            });
            const expectedGlobal = input.outputs['global_attentions'];
            if (expectedGlobal === null) {
              assert.equal(result.globalAttentions, undefined, 'no global token in the batch: no global_attentions');
            } else {
              assert.equal(result.globalAttentions?.length, expectedGlobal.length);
              expectedGlobal.forEach((expected, layer) => {
                const diff = maxDiff(result.globalAttentions?.[layer], expected, `global_attentions[${layer}]`);
                record(`${caseName} ${format} global_attentions`, diff);
                assert.ok(diff <= TOLERANCE, `global_attentions[${layer}]: max |diff| ${diff}`);
              });
            }
          });
        }

        it('gives the same plain outputs without the attention variant', async () => {
          assert.ok(engine !== undefined);
          const input = reference.inputs.find((candidate) => candidate.global_attention_mask !== null && candidate.batch_size === 2);
          assert.ok(input !== undefined && input.global_attention_mask !== null);
          const names = plainOutputNames(input);
          const result = await engine.run(toModelInputs(input, input.global_attention_mask), names);
          assert.equal(result.attentions, undefined);
          for (const name of names) {
            const actual = result.tensors.get(name);
            assert.ok(actual !== undefined);
            assert.ok(maxDiff(actual, input.outputs[name] as JsonTensor, name) <= TOLERANCE);
          }
        });
      });
    }
  }
});
