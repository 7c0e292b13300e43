import assert from 'node:assert/strict';
import { markedGlobalNote, ResultStore, staleReason, type TaskRecord } from '../../../src/extension/result-store';
import type { LensTask } from '../../../src/extension/tasks';

function record(task: LensTask, summary: string, modelDir = '/models/cls', version = 1): TaskRecord {
  return { task, modelDir, version, provider: 'cpu', precision: 'fp32', summary, result: { summary } };
}

describe('result store', () => {
  it('keeps results per document: another document shows its own or nothing', () => {
    const store = new ResultStore();
    store.record('file:///a.txt', record('classification', 'positive 91%'));
    store.record('file:///b.md', record('question-answering', '"14 hectares" 83%', '/models/qa'));
    assert.equal(store.latest('file:///a.txt')?.summary, 'positive 91%');
    assert.equal(store.latest('file:///b.md')?.summary, '"14 hectares" 83%');
    assert.equal(store.latest('file:///c.txt'), undefined);
  });

  it("shows the document's most recent task and keeps the other task's result", () => {
    const store = new ResultStore();
    store.record('file:///a.txt', record('classification', 'positive 91%'));
    store.record('file:///a.txt', record('question-answering', '"yes" 50%', '/models/qa'));
    assert.equal(store.latest('file:///a.txt')?.task, 'question-answering');
    assert.equal(store.get('file:///a.txt', 'classification')?.summary, 'positive 91%');
  });

  it('clears a result when a run of the same task fails, and keeps the others', () => {
    const store = new ResultStore();
    store.record('file:///a.txt', record('question-answering', '"yes" 50%', '/models/qa'));
    store.record('file:///a.txt', record('classification', 'positive 91%'));
    store.fail('file:///a.txt', 'classification');
    assert.equal(store.get('file:///a.txt', 'classification'), undefined);
    assert.equal(store.latest('file:///a.txt'), undefined, 'the failed run is the latest: nothing stands for it');
    assert.equal(store.get('file:///a.txt', 'question-answering')?.summary, '"yes" 50%');
  });

  it('forgets a closed document', () => {
    const store = new ResultStore();
    store.record('file:///a.txt', record('classification', 'positive 91%'));
    store.forget('file:///a.txt');
    assert.equal(store.latest('file:///a.txt'), undefined);
  });

  it('tells its subscribers which document changed: recorded, failed, forgotten', () => {
    const store = new ResultStore();
    const heard: string[] = [];
    const subscription = store.subscribe((uri) => heard.push(uri));
    store.record('file:///a.txt', record('classification', 'positive 91%'));
    store.fail('file:///a.txt', 'classification');
    store.fail('file:///b.txt', 'classification');
    store.record('file:///b.txt', record('classification', 'negative 60%'));
    store.forget('file:///b.txt');
    store.forget('file:///never-seen.txt');
    subscription.dispose();
    store.record('file:///a.txt', record('classification', 'positive 91%'));
    assert.deepEqual(heard, ['file:///a.txt', 'file:///a.txt', 'file:///b.txt', 'file:///b.txt']);
  });

  it('marks a result stale when the model changed or the document was edited', () => {
    const current = record('classification', 'positive 91%', '/models/cls', 7);
    assert.equal(staleReason(current, { modelDir: '/models/cls', version: 7 }), undefined);
    assert.equal(staleReason(current, { modelDir: '/models/other', version: 7 }), 'made with another model (/models/cls)');
    assert.equal(staleReason(current, { modelDir: '/models/cls', version: 8 }), 'the document has changed since');
  });

  it('says how many tokens the marks made global, for a count or a list of tokens, and nothing without marks', () => {
    assert.equal(markedGlobalNote({ globalTokens: 12 }), 'global attention on 12 tokens from the marked spans');
    assert.equal(markedGlobalNote({ globalTokens: Int32Array.of(4) }), 'global attention on 1 token from the marked spans');
    assert.equal(markedGlobalNote({ globalTokens: 1234 }), 'global attention on 1,234 tokens from the marked spans');
    assert.equal(markedGlobalNote({ globalTokens: 0 }), undefined);
    assert.equal(markedGlobalNote({ globalTokens: new Int32Array(0) }), undefined);
    assert.equal(markedGlobalNote({ label: 'positive' }), undefined);
    assert.equal(markedGlobalNote(undefined), undefined);
  });
});
