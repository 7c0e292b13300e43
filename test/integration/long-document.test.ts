// End to end on a long document: a ~30,000-token synthetic text classified and questioned through the real engine
// (openEngine over a random-weight checkpoint with the fixture vocabulary and max_position_embeddings 514, so the
// document is cut into dozens of chunks). Chunk results are cross-checked against direct engine runs.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine, type OpenedEngine } from '../../src/core/runtime/open';
import { answer } from '../../src/core/tasks/answer';
import { classify } from '../../src/core/tasks/classify';
import { softmax } from '../../src/core/tasks/math';
import { prepareDocument, toModelInputs } from '../../src/core/tasks/pipeline';
import { loadTokenizer } from '../../src/core/tokenizer';
import type { RobertaTokenizer } from '../../src/core/tokenizer/tokenizer';
import { syntheticDocument } from '../unit/tasks/helpers';
import { writeTaskCheckpoint } from './support-checkpoint';

describe('a 30,000-token document end to end', function () {
  this.timeout(600_000);
  let dir: string;
  let tokenizer: RobertaTokenizer;
  let text: string;
  let cls: OpenedEngine;
  let qa: OpenedEngine;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lens-long-'));
    await writeTaskCheckpoint(join(dir, 'cls'), 'sequence-classification', 11, { maxPositionEmbeddings: 514, attentionWindow: 64, labels: ['a', 'b', 'c'] });
    await writeTaskCheckpoint(join(dir, 'qa'), 'question-answering', 12, { maxPositionEmbeddings: 514, attentionWindow: 64 });
    tokenizer = loadTokenizer(join(dir, 'cls'));
    text = `${syntheticDocument(820, 21)}\n\nThe zebra crossing is near the station.\n\n${syntheticDocument(820, 22)}`;
    cls = await openEngine(join(dir, 'cls'), { provider: 'cpu', cacheDir: join(dir, 'cache') });
    qa = await openEngine(join(dir, 'qa'), { provider: 'cpu', cacheDir: join(dir, 'cache') });
  });

  after(async () => {
    await cls.dispose();
    await qa.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('classifies it chunk by chunk; chunk 0 matches a direct engine run; probabilities come from the mean logits', async () => {
    const tokens = tokenizer.tokenize(text).ids.length;
    assert.ok(tokens >= 30_000, `only ${tokens} tokens`);
    let events = 0;
    const started = Date.now();
    const result = await classify(cls, tokenizer, text, { onProgress: () => (events += 1), spans: [{ start: 100, end: 140 }] });
    process.stdout.write(`      (${tokens} tokens, ${result.chunks.length} chunks: classify ${Date.now() - started} ms)\n`);
    const prepared = prepareDocument(cls.config, tokenizer, text, { spans: [{ start: 100, end: 140 }] });
    assert.equal(result.chunks.length, prepared.chunks.length);
    assert.ok(result.chunks.length > 50);
    assert.equal(events, result.chunks.length + 1);
    const direct = await cls.run(toModelInputs(prepared.inputs[0]!), ['logits']);
    const expected = softmax(direct.tensors.get('logits')!.data);
    result.chunks[0]!.probabilities.forEach((p, i) => assert.ok(Math.abs(p - expected[i]!) < 1e-5));
    const sum = [...result.probabilities].reduce((a, b) => a + b);
    assert.ok(Math.abs(sum - 1) < 1e-5);
    const again = softmax(result.logits);
    result.probabilities.forEach((p, i) => assert.ok(Math.abs(p - again[i]!) < 1e-6));
    assert.ok(result.globalTokens > 0);
  });

  it('answers a question with spans inside their chunks', async () => {
    const started = Date.now();
    const result = await answer(qa, tokenizer, 'Where is the zebra crossing?', text, { topK: 5 });
    const prepared = prepareDocument(qa.config, tokenizer, text, {}, tokenizer.tokenize('Where is the zebra crossing?'));
    process.stdout.write(`      (answer over ${prepared.chunks.length} chunks: ${Date.now() - started} ms)\n`);
    assert.ok(result.answers.length >= 1 && result.answers.length <= 5);
    for (const a of result.answers) {
      const chunk = prepared.chunks[a.chunk]!;
      assert.equal(text.slice(a.start, a.end), a.text);
      assert.ok(a.start >= chunk.charStart && a.end <= chunk.charEnd, 'answer outside its chunk');
      assert.ok(a.score > 0 && a.score <= 1);
    }
    for (let i = 1; i < result.answers.length; i += 1) assert.ok(result.answers[i - 1]!.score >= result.answers[i]!.score);
    assert.equal(typeof result.noAnswer, 'boolean');
  });
});
