import assert from 'node:assert/strict';
import { AttentionStore } from '../../../src/extension/overlay/attention-store';
import type { OverlaySelection } from '../../../src/extension/overlay/messages';
import type { AttentionResult } from '../../../src/worker/protocol';

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
});
