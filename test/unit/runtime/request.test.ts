import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLongformerConfig, type LongformerConfig } from '../../../src/core/checkpoint/config';
import type { LensErrorCode } from '../../../src/core/errors';
import type { OutputName } from '../../../src/core/runtime/engine';
import { defaultGlobalAttentionMask, parseRunRequest, runResponse } from '../../../src/core/runtime/request';
import { lensError } from '../../support/lens-error';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'longformer-ref');
function config(name: string): LongformerConfig {
  const path = join(FIXTURES, name, 'config.json');
  return parseLongformerConfig(JSON.parse(readFileSync(path, 'utf8')), path);
}
const QA_OUTPUTS: OutputName[] = ['last_hidden_state', 'start_logits', 'end_logits', 'attentions', 'global_attentions'];

function rejects(body: () => unknown, code: LensErrorCode, message: RegExp): void {
  assert.throws(body, lensError(code, message));
}

describe('run requests', () => {
  it('defaults the attention mask to ones and the global mask to the head default', () => {
    const qa = parseRunRequest(
      {
        input_ids: [
          [0, 7, 8, 2, 2, 9, 2],
          [0, 7, 2, 2, 9, 2, 1],
        ],
        outputs: ['start_logits'],
      },
      config('qa-tiny'),
      QA_OUTPUTS,
    );
    assert.deepEqual(qa.globalAttentionMask, [
      [1, 1, 1, 0, 0, 0, 0],
      [1, 1, 0, 0, 0, 0, 0],
    ]);
    assert.deepEqual([...qa.inputs.attentionMask], new Array<bigint>(14).fill(1n));
    assert.deepEqual(qa.outputs, ['start_logits']);
    assert.deepEqual(defaultGlobalAttentionMask(config('cls-tiny'), [[0, 5, 2]]), [[1, 0, 0]]);
    assert.deepEqual(defaultGlobalAttentionMask(config('base-tiny'), [[0, 5, 2]]), [[0, 0, 0]]);
    rejects(() => defaultGlobalAttentionMask(config('qa-tiny'), [[0, 5, 6]]), 'BAD_ARGUMENT', /row 0 has no <\/s>/);
  });

  it('keeps a given global mask and defaults outputs to the head outputs', () => {
    const request = parseRunRequest({ input_ids: [[0, 7, 2]], global_attention_mask: [[0, 1, 0]] }, config('qa-tiny'), QA_OUTPUTS);
    assert.deepEqual(request.globalAttentionMask, [[0, 1, 0]]);
    assert.deepEqual(request.outputs, ['last_hidden_state', 'start_logits', 'end_logits']);
  });

  it('rejects malformed requests with the reason', () => {
    const qa = config('qa-tiny');
    rejects(() => parseRunRequest([], qa, QA_OUTPUTS), 'BAD_ARGUMENT', /JSON object/);
    rejects(() => parseRunRequest({ outputs: ['start_logits'] }, qa, QA_OUTPUTS), 'BAD_ARGUMENT', /needs "input_ids"/);
    rejects(
      () => parseRunRequest({ input_ids: [[0, 2], [0]], outputs: ['start_logits'] }, qa, QA_OUTPUTS),
      'BAD_ARGUMENT',
      /ragged: row 0 has 2 values, row 1 has 1/,
    );
    rejects(() => parseRunRequest({ input_ids: [[0, 1.5]] }, qa, QA_OUTPUTS), 'BAD_ARGUMENT', /\[0\]\[1\] is 1.5, not an integer/);
    rejects(
      () => parseRunRequest({ input_ids: [[0, 2]], attention_mask: [[1]] }, qa, QA_OUTPUTS),
      'BAD_ARGUMENT',
      /is 1 × 1, but input_ids is 1 × 2/,
    );
    rejects(() => parseRunRequest({ input_ids: [[0, 2]], attention_mask: [[1, 3]] }, qa, QA_OUTPUTS), 'BAD_ARGUMENT', /masks hold 0 or 1/);
    rejects(() => parseRunRequest({ input_ids: [[0, 2]], output: ['x'] }, qa, QA_OUTPUTS), 'BAD_ARGUMENT', /unknown field "output"/);
    rejects(() => parseRunRequest({ input_ids: [[0, 2]], outputs: ['scores'] }, qa, QA_OUTPUTS), 'BAD_ARGUMENT', /Unknown output "scores"/);
    rejects(() => parseRunRequest({ input_ids: [[0, 2]], outputs: ['logits'] }, qa, QA_OUTPUTS), 'WRONG_HEAD', /no output "logits"/);
    rejects(
      () => parseRunRequest({ input_ids: [[0, 120, 2]] }, qa, QA_OUTPUTS),
      'BAD_ARGUMENT',
      /= 120 is outside the vocabulary \(0..119\)/,
    );
    rejects(
      () => parseRunRequest({ input_ids: [[0, ...new Array<number>(62).fill(5), 2]] }, qa, QA_OUTPUTS),
      'INPUT_TOO_LONG',
      /64 tokens are longer than the model takes \(62\)/,
    );
  });

  it('writes outputs as nested arrays with their shape, plus the provider and mask used', () => {
    const request = parseRunRequest(
      { input_ids: [[0, 7, 2]], outputs: ['start_logits', 'attentions', 'global_attentions'] },
      config('qa-tiny'),
      QA_OUTPUTS,
    );
    const tensor = { dtype: 'float32' as const, shape: [1, 3], data: Float32Array.from([1, 2, 3]) };
    const attention = { dtype: 'float32' as const, shape: [1, 1, 3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    const response = runResponse(request, {
      provider: 'cpu',
      precision: 'fp32',
      tensors: new Map([['start_logits', tensor]]),
      attentions: [attention],
    });
    assert.deepEqual(response, {
      start_logits: { shape: [1, 3], data: [[1, 2, 3]] },
      attentions: [
        {
          shape: [1, 1, 3, 2],
          data: [
            [
              [
                [1, 2],
                [3, 4],
                [5, 6],
              ],
            ],
          ],
        },
      ],
      global_attentions: null,
      provider: 'cpu',
      precision: 'fp32',
      global_attention_mask: [[1, 1, 0]],
    });
  });
});
