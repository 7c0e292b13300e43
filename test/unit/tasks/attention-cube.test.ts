// The selection maths of the score cube: one layer and head is its row, the means are the averages of the rows (over
// heads, over layers, over both), computed here by hand from a cube whose every value is distinct; and the task-level
// checks of a selection against the model.
import { strict as assert } from 'node:assert';
import { LensError } from '../../../src/core/errors';
import { type AttentionCube, attentionMapOf } from '../../../src/core/tasks/attention';
import { type ScoreCube, selectScores } from '../../../src/core/tasks/attention-cube';

const LAYERS = 3;
const HEADS = 2;
const TOKENS = 4;

/** Value (layer, head, token) = 100·layer + 10·head + token + 1, row-major layers × heads × tokens. */
function cube(): ScoreCube {
  const scores = new Float32Array(LAYERS * HEADS * TOKENS);
  for (let l = 0; l < LAYERS; l += 1)
    for (let h = 0; h < HEADS; h += 1) for (let t = 0; t < TOKENS; t += 1) scores[(l * HEADS + h) * TOKENS + t] = 100 * l + 10 * h + t + 1;
  return { layers: LAYERS, heads: HEADS, tokens: TOKENS, scores };
}

describe('attention cube selections', () => {
  it('one layer and head is that row of the cube', () => {
    assert.deepEqual([...selectScores(cube(), { layer: 2, head: 1 })], [211, 212, 213, 214]);
    assert.deepEqual([...selectScores(cube(), { layer: 0, head: 0 })], [1, 2, 3, 4]);
  });

  it('the mean over heads of one layer', () => {
    // Layer 1: heads give 101.. and 111..; their mean 106..
    assert.deepEqual([...selectScores(cube(), { layer: 1 })], [106, 107, 108, 109]);
  });

  it('the mean over layers of one head', () => {
    // Head 1: layers give 11.., 111.., 211..; their mean 111..
    assert.deepEqual([...selectScores(cube(), { head: 1 })], [111, 112, 113, 114]);
  });

  it('the mean over layers and heads', () => {
    // Mean of 100·l over l (100) + mean of 10·h over h (5) + t + 1.
    assert.deepEqual([...selectScores(cube(), {})], [106, 107, 108, 109]);
  });

  it('refuses a layer or head outside the cube', () => {
    assert.throws(() => selectScores(cube(), { layer: 3 }), RangeError);
    assert.throws(() => selectScores(cube(), { head: -1 }), RangeError);
    assert.throws(() => selectScores(cube(), { head: 0.5 }), RangeError);
  });

  it('a map of a task cube names its selection and says which layers and heads exist when one does not', () => {
    const tokens = { starts: Uint32Array.of(0, 2, 4, 6), ends: Uint32Array.of(1, 3, 5, 7) };
    const task: AttentionCube = {
      ...cube(),
      ...tokens,
      mode: 'received',
      globalTokens: Int32Array.of(0),
      warnings: [],
      provider: 'cpu',
      precision: 'fp32',
    };
    const map = attentionMapOf(task, { layer: 1 });
    assert.equal(map.layer, 1);
    assert.equal(map.head, 'mean');
    assert.equal(map.mode, 'received');
    assert.deepEqual([...map.scores], [106, 107, 108, 109]);
    assert.equal('layers' in map, false);
    assert.throws(
      () => attentionMapOf(task, { head: 2 }),
      (error: unknown) => {
        assert.ok(error instanceof LensError && error.code === 'BAD_ARGUMENT');
        assert.match(error.message, /heads 0 to 1/);
        return true;
      },
    );
  });
});
