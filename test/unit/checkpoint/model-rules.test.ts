// The two rules written once (checkpoint/model-rules.ts): the longest input and the default global attention, and
// that the `run` request path and the document tasks both follow them.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLongformerConfig, type LongformerConfig } from '../../../src/core/checkpoint/config';
import { documentGlobalAttention, huggingFaceGlobalAttention, maxInputLength } from '../../../src/core/checkpoint/model-rules';
import { validateModelInputs } from '../../../src/core/runtime/model-inputs';
import { defaultGlobalAttentionMask } from '../../../src/core/runtime/request';
import { checkMaxLength, modelMaxLength } from '../../../src/core/tasks/pipeline';
import { FIXTURES } from './support/checkpoint-files';
import { lensError } from '../../support/lens-error';

function config(fixture: string, change: Record<string, unknown> = {}): LongformerConfig {
  const json = JSON.parse(readFileSync(join(FIXTURES, fixture, 'config.json'), 'utf8')) as Record<string, unknown>;
  return parseLongformerConfig({ ...json, ...change }, `${fixture}/config.json`);
}

const row = (
  n: number,
): { batchSize: number; seqLen: number; inputIds: BigInt64Array; attentionMask: BigInt64Array; globalAttentionMask: BigInt64Array } => ({
  batchSize: 1,
  seqLen: n,
  inputIds: new BigInt64Array(n).fill(5n),
  attentionMask: new BigInt64Array(n).fill(1n),
  globalAttentionMask: new BigInt64Array(n),
});

describe('model rules written once', () => {
  it('the longest input is max_position_embeddings - pad_token_id - 1, in the run path and the document tasks alike', () => {
    for (const [padTokenId, expected] of [
      [1, 62],
      [0, 63],
      [3, 60],
    ] as const) {
      const model = config('qa-tiny', { pad_token_id: padTokenId }); // 64 positions
      assert.equal(maxInputLength(model), expected);
      assert.equal(modelMaxLength(model), expected);
      assert.equal(checkMaxLength(model, undefined), expected);
      assert.throws(() => checkMaxLength(model, expected + 1), lensError('BAD_ARGUMENT', new RegExp(`from 3 to ${expected}`)));
      assert.doesNotThrow(() => validateModelInputs(model, row(expected)));
      assert.throws(() => validateModelInputs(model, row(expected + 1)), lensError('INPUT_TOO_LONG', new RegExp(`\\(${expected}\\)`)));
    }
  });

  it("HuggingFace's default global attention per head", () => {
    const ids = [0, 7, 8, 2, 2, 9, 10, 2];
    assert.deepEqual([...huggingFaceGlobalAttention(config('cls-tiny'), ids)], [1, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...huggingFaceGlobalAttention(config('qa-tiny'), ids)], [1, 1, 1, 0, 0, 0, 0, 0]);
    assert.deepEqual([...huggingFaceGlobalAttention(config('base-tiny'), ids)], [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.throws(() => huggingFaceGlobalAttention(config('qa-tiny'), [0, 7, 8], 3), lensError('BAD_ARGUMENT', /row 3 has no <\/s>/));
    // The run path is exactly this rule.
    assert.deepEqual(defaultGlobalAttentionMask(config('qa-tiny'), [ids]), [[1, 1, 1, 0, 0, 0, 0, 0]]);
    assert.deepEqual(defaultGlobalAttentionMask(config('base-tiny'), [ids]), [[0, 0, 0, 0, 0, 0, 0, 0]]);
  });

  it("the document tasks' default is HuggingFace's, plus <s> where HuggingFace has none", () => {
    const ids = [0, 7, 8, 2, 2, 9, 10, 2];
    for (const fixture of ['cls-tiny', 'qa-tiny']) {
      assert.deepEqual(documentGlobalAttention(config(fixture), ids), huggingFaceGlobalAttention(config(fixture), ids), fixture);
    }
    assert.deepEqual([...documentGlobalAttention(config('base-tiny'), ids)], [1, 0, 0, 0, 0, 0, 0, 0]);
  });
});
