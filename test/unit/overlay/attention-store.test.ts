import assert from 'node:assert/strict';
import { AttentionStore } from '../../../src/extension/overlay/attention-store';
import type { OverlaySelection } from '../../../src/extension/overlay/messages';
import type { AttentionCubeResult, AttentionResult } from '../../../src/worker/protocol';

function map(layer: number | 'mean'): AttentionResult {
  return {
    mode: 'global',
    layer,
    head: 'mean',
    starts: Uint32Array.from([0]),
    ends: Uint32Array.from([1]),
    scores: Float32Array.from([1]),
    globalTokens: new Int32Array(0),
    warnings: [],
    provider: 'cpu',
    precision: 'fp32',
    model: { layers: 2, heads: 2, attentionWindow: [4, 4] },
  };
}

/** Two layers × two heads × two tokens; value (layer, head, token) = 10·layer + 2·head + token. */
function cube(mode: 'global' | 'token' = 'global'): AttentionCubeResult {
  const scores = Float32Array.from({ length: 8 }, (_, i) => 10 * Math.floor(i / 4) + 2 * (Math.floor(i / 2) % 2) + (i % 2));
  return {
    mode,
    layers: 2,
    heads: 2,
    tokens: 2,
    scores,
    starts: Uint32Array.from([0, 2]),
    ends: Uint32Array.from([1, 3]),
    globalTokens: new Int32Array(0),
    warnings: [],
    provider: 'cpu',
    precision: 'fp32',
    model: { layers: 2, heads: 2, attentionWindow: [4, 4] },
  };
}

const mean: OverlaySelection = { mode: 'global', layer: 'mean', head: 'mean' };
const layer1: OverlaySelection = { mode: 'global', layer: 1, head: 'mean' };

describe('attention store', () => {
  it('returns a map asked for again on the same version, and makes the last one current', () => {
    const store = new AttentionStore();
    const changed: string[] = [];
    store.onDidChange((uri) => changed.push(uri));
    store.put('file:///a', 3, mean, map('mean'));
    store.put('file:///a', 3, layer1, map(1));
    assert.equal(store.get('file:///a', 3, mean)?.layer, 'mean');
    assert.equal(store.get('file:///a', 3, layer1)?.layer, 1);
    assert.equal(store.get('file:///a', 4, mean), undefined, 'another version of the text');
    assert.equal(store.get('file:///b', 3, mean), undefined);
    assert.deepEqual(store.current('file:///a')?.selection, layer1);
    assert.deepEqual(changed, ['file:///a', 'file:///a']);
  });

  it('marks maps stale on an edit: none is served again, and a new version starts afresh', () => {
    const store = new AttentionStore();
    store.put('file:///a', 3, mean, map('mean'));
    store.markStale('file:///a', 'The document was edited.');
    assert.equal(store.current('file:///a')?.stale, 'The document was edited.');
    assert.equal(store.get('file:///a', 3, mean), undefined);
    store.put('file:///a', 5, layer1, map(1));
    assert.equal(store.current('file:///a')?.stale, undefined);
    assert.equal(store.get('file:///a', 5, mean), undefined, 'the old version is gone');
  });

  it('tells token selections apart by their source offset', () => {
    const store = new AttentionStore();
    store.put('file:///a', 1, { mode: 'token', layer: 'mean', head: 'mean', at: 10 }, map('mean'));
    assert.ok(store.get('file:///a', 1, { mode: 'token', layer: 'mean', head: 'mean', at: 10 }));
    assert.equal(store.get('file:///a', 1, { mode: 'token', layer: 'mean', head: 'mean', at: 11 }), undefined);
  });

  it("derives every layer and head of a mode from the mode's cube, without another cube", () => {
    const store = new AttentionStore();
    const first = store.putCube('file:///a', 2, mean, cube());
    assert.deepEqual([first.layer, first.head, [...first.scores]], ['mean', 'mean', [6, 7]]);
    assert.equal('layers' in first, false, 'a map, not the cube');
    const derived = (layer: number | 'mean', head: number | 'mean'): number[] | undefined => {
      const map = store.get('file:///a', 2, { mode: 'global', layer, head });
      return map === undefined ? undefined : [...map.scores];
    };
    assert.deepEqual(derived(0, 0), [0, 1]);
    assert.deepEqual(derived(1, 1), [12, 13]);
    assert.deepEqual(derived(1, 'mean'), [11, 12]);
    assert.deepEqual(derived('mean', 1), [7, 8]);
    assert.equal(store.get('file:///a', 2, { mode: 'received', layer: 0, head: 0 }), undefined, 'another mode needs its own cube');
    assert.equal(store.get('file:///a', 3, { mode: 'global', layer: 0, head: 0 }), undefined, 'another version');
    assert.equal(store.get('file:///a', 2, { mode: 'global', layer: 0, head: 0 })?.model.layers, 2);
    store.markStale('file:///a', 'edited');
    assert.equal(store.get('file:///a', 2, { mode: 'global', layer: 0, head: 0 }), undefined, 'no cube of a stale document');
  });

  it("keeps a token cube for its source offset only, and the document's other cubes beside it", () => {
    const store = new AttentionStore();
    store.putCube('file:///a', 1, mean, cube());
    store.putCube('file:///a', 1, { mode: 'token', layer: 'mean', head: 'mean', at: 10 }, cube('token'));
    assert.ok(store.get('file:///a', 1, { mode: 'token', layer: 1, head: 0, at: 10 }));
    assert.equal(store.get('file:///a', 1, { mode: 'token', layer: 1, head: 0, at: 11 }), undefined);
    assert.ok(store.get('file:///a', 1, { mode: 'global', layer: 1, head: 0 }), 'the global cube is still there');
    assert.deepEqual(store.current('file:///a')?.selection, { mode: 'token', layer: 'mean', head: 'mean', at: 10 });
  });
});
