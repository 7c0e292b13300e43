// The engine against HuggingFace: every input of every fixture case (test/fixtures/longformer-ref, computed with
// transformers' PyTorch Longformer), every output including attentions and global_attentions, from both weight
// formats. Prints the largest difference per case and output.
import { strict as assert } from 'node:assert';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FloatTensor } from '../../src/core/checkpoint/tensor';
import type { ModelInputs, OutputName } from '../../src/core/runtime/engine';
import { openEngine, type OpenedEngine } from '../../src/core/runtime/open';
import { defaultGlobalAttentionMask } from '../../src/core/runtime/request';
import { TEST_PROVIDER } from '../support/provider';

const FIXTURES = join(__dirname, '..', 'fixtures', 'longformer-ref');
const CASES = ['base-tiny', 'cls-tiny', 'qa-tiny'] as const;
const FORMATS = ['safetensors', 'pytorch'] as const;
const TOLERANCE = 1e-4;

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
  readonly global_attention_mask_omitted: boolean;
  readonly global_attention_mask: number[][] | null;
  readonly derived_global_attention_mask: number[][] | null;
  readonly outputs: Record<string, JsonTensor | JsonTensor[] | null>;
}

function flatten(data: unknown): number[] {
  return Array.isArray(data) ? data.flatMap(flatten) : [data as number];
}

/** Largest |actual - expected|; shapes must match exactly. */
function maxDiff(actual: FloatTensor, expected: JsonTensor, what: string): number {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const values = flatten(expected.data);
  assert.equal(actual.data.length, values.length, `${what}: element count`);
  let worst = 0;
  values.forEach((value, index) => {
    const diff = Math.abs((actual.data[index] ?? Number.NaN) - value);
    worst = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : Math.max(worst, diff);
  });
  return worst;
}

function toInputs(input: ReferenceInput, globalMask: number[][]): ModelInputs {
  const big = (rows: number[][]): BigInt64Array => BigInt64Array.from(rows.flat(), (v) => BigInt(v));
  return {
    batchSize: input.batch_size,
    seqLen: input.seq_len,
    inputIds: big(input.input_ids),
    attentionMask: big(input.attention_mask),
    globalAttentionMask: big(globalMask),
  };
}

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
    for (const caseName of CASES) {
      describe(`${caseName} (${format})`, () => {
        const reference = JSON.parse(readFileSync(join(FIXTURES, caseName, 'reference.json'), 'utf8')) as { inputs: ReferenceInput[] };
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
            const plainNames = Object.keys(input.outputs).filter(
              (name) => name !== 'attentions' && name !== 'global_attentions',
            ) as OutputName[];
            const result = await engine.run(toInputs(input, globalMask), [...plainNames, 'attentions', 'global_attentions']);
            assert.equal(result.provider, TEST_PROVIDER);
            for (const name of plainNames) {
              const expected = input.outputs[name] as JsonTensor;
              const actual = result.tensors.get(name);
              assert.ok(actual !== undefined, `missing ${name}`);
              const diff = maxDiff(actual, expected, name);
              record(`${caseName} ${format} ${name}`, diff);
              assert.ok(diff <= TOLERANCE, `${name}: max |diff| ${diff}`);
            }
            const expectedAttentions = input.outputs['attentions'] as JsonTensor[];
            assert.equal(result.attentions?.length, expectedAttentions.length);
            expectedAttentions.forEach((expected, layer) => {
              const diff = maxDiff(result.attentions?.[layer] as FloatTensor, expected, `attentions[${layer}]`);
              record(`${caseName} ${format} attentions`, diff);
              assert.ok(diff <= TOLERANCE, `attentions[${layer}]: max |diff| ${diff}`);
            });
            const expectedGlobal = input.outputs['global_attentions'] as JsonTensor[] | null;
            if (expectedGlobal === null) {
              assert.equal(result.globalAttentions, undefined, 'no global token in the batch: no global_attentions');
            } else {
              assert.equal(result.globalAttentions?.length, expectedGlobal.length);
              expectedGlobal.forEach((expected, layer) => {
                const diff = maxDiff(result.globalAttentions?.[layer] as FloatTensor, expected, `global_attentions[${layer}]`);
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
          const names = Object.keys(input.outputs).filter((name) => name !== 'attentions' && name !== 'global_attentions') as OutputName[];
          const result = await engine.run(toInputs(input, input.global_attention_mask), names);
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
