// Proves the naive reference against HuggingFace before it is used to judge the engine: every input of every
// fixture case (test/fixtures/longformer-ref/*/reference.json), every output, attentions included, within 1e-4.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { loadCheckpoint, type Checkpoint } from '../../src/core/checkpoint/load';
import type { FloatTensor, StateDict, Tensor } from '../../src/core/checkpoint/tensor';
import { flatten, type JsonTensor, plainOutputNames, readReference, toModelInputs } from '../support/reference';
import { FIXTURE_CASES, FIXTURES } from '../unit/checkpoint/support/checkpoint-files';
import { expectClose } from './compare';
import { erf, huggingFacePaddedLength, layoutGlobalAttentions, naiveLongformer } from './naive-longformer';

// The references are float32 rounded to 6 significant digits; float64 changes nothing by more than 2e-6.
const TOLERANCE = 1e-4;

function toTensor(json: JsonTensor): FloatTensor {
  const tensor: FloatTensor = { dtype: 'float32', shape: json.shape, data: Float32Array.from(flatten(json.data)) };
  assert.equal(
    tensor.data.length,
    json.shape.reduce((a, b) => a * b, 1),
    'reference tensor size',
  );
  return tensor;
}

/** Largest difference per case, printed at the end so a run shows how much headroom the tolerance has. */
const worst = new Map<string, number>();
function record(caseName: string, diff: number): void {
  worst.set(caseName, Math.max(worst.get(caseName) ?? 0, diff));
}

describe('naive Longformer reference', () => {
  describe('erf', () => {
    // Values from CPython's math.erf (libm, accurate to about 1 ulp).
    const known: Array<[number, number]> = [
      [0, 0],
      [1e-8, 1.1283791670955126e-8],
      [0.1, 0.1124629160182849],
      [0.5, 0.52049987781304654],
      [1, 0.84270079294971487],
      [1.5, 0.96610514647531073],
      [2, 0.99532226501895273],
      [2.9, 0.99995890212190054],
      [3, 0.99997790950300141],
      [3.5, 0.99999925690162766],
      [5, 0.99999999999846254],
      [-0.7, -0.67780119383741847],
      [-4, -0.99999998458274209],
    ];
    for (const [x, expected] of known) {
      it(`erf(${x}) within 1e-13`, () => {
        assert.ok(Math.abs(erf(x) - expected) < 1e-13, `erf(${x}) = ${erf(x)}, expected ${expected}`);
      });
    }
    it('is odd and saturates', () => {
      assert.equal(erf(40), 1);
      assert.equal(erf(-40), -1);
      assert.equal(erf(-1.25), -erf(1.25));
    });
  });

  after(() => {
    for (const [caseName, diff] of worst) process.stdout.write(`      naive vs HF ${caseName}: max |diff| ${diff.toExponential(2)}\n`);
  });

  for (const caseName of FIXTURE_CASES) {
    describe(`matches HuggingFace on ${caseName}`, () => {
      const reference = readReference(caseName);
      let checkpoint: Checkpoint;
      before(async () => {
        checkpoint = await loadCheckpoint(join(FIXTURES, caseName));
      });

      for (const input of reference.inputs) {
        it(input.name, () => {
          const out = naiveLongformer(checkpoint.config, checkpoint.weights, toModelInputs(input));
          const expected = input.outputs;
          const names = plainOutputNames(input);
          assert.ok(names.length > 0, 'the fixture has plain outputs');
          assert.deepEqual([...out.tensors.keys()].sort(), [...names].sort(), 'the head produces exactly HF outputs');
          for (const name of names) {
            const json = expected[name];
            const actual = out.tensors.get(name);
            assert.ok(json !== undefined && actual !== undefined);
            record(caseName, expectClose(name, actual, toTensor(json), TOLERANCE));
          }

          assert.equal(out.attentions.length, expected.attentions.length, 'one attentions tensor per layer');
          out.attentions.forEach((tensor, layer) => {
            const json = expected.attentions[layer];
            assert.ok(json !== undefined);
            record(caseName, expectClose(`attentions[${layer}]`, tensor, toTensor(json), TOLERANCE));
          });

          assert.equal(huggingFacePaddedLength(input.seq_len, checkpoint.config), input.padded_seq_len, 'padded length');
          if (expected.global_attentions === null) {
            assert.equal(out.globalAttentions, undefined, 'no global attentions without global tokens');
            assert.equal(input.max_num_global, 0);
          } else {
            assert.ok(out.globalAttentions !== undefined, 'global attentions present');
            assert.equal(out.globalAttentions.maxNumGlobal, input.max_num_global);
            const laidOut = layoutGlobalAttentions(out.globalAttentions, input.padded_seq_len);
            assert.equal(laidOut.length, expected.global_attentions.length);
            laidOut.forEach((tensor, layer) => {
              const json = expected.global_attentions?.[layer];
              assert.ok(json !== undefined);
              record(caseName, expectClose(`global_attentions[${layer}]`, tensor, toTensor(json), TOLERANCE));
            });
          }
        });
      }
    });
  }

  describe('can fail', () => {
    // A reference that passes whatever it is given proves nothing: a small change to one global projection must
    // show up in the comparison with HF for an input that has global tokens.
    it('a perturbed query_global weight breaks the match', async () => {
      const checkpoint = await loadCheckpoint(join(FIXTURES, 'base-tiny'));
      const input = readReference('base-tiny').inputs.find((entry) => entry.name === 'b1_len24_global_span5');
      assert.ok(input !== undefined);
      const name = 'encoder.layer.0.attention.self.query_global.weight';
      const original = checkpoint.weights.get(name);
      assert.ok(original?.dtype === 'float32');
      const perturbed: Tensor = { ...original, data: original.data.map((v) => v * 1.01) };
      const weights: StateDict = new Map(checkpoint.weights);
      weights.set(name, perturbed);
      const out = naiveLongformer(checkpoint.config, weights, toModelInputs(input));
      const actual = out.tensors.get('last_hidden_state');
      const json = input.outputs.last_hidden_state;
      assert.ok(actual !== undefined && json !== undefined);
      assert.throws(() => expectClose('last_hidden_state', actual, toTensor(json), TOLERANCE), /max \|diff\|/);
    });
  });
});
