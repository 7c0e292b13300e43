// End to end on a long document: a ~30,000-token synthetic text classified and questioned through the real engine
// (openEngine over a random-weight checkpoint with the fixture vocabulary and max_position_embeddings 514, so the
// document is cut into dozens of chunks). Chunk results are cross-checked against direct engine runs.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine, type OpenedEngine } from '../../src/core/runtime/open';
import { answer } from '../../src/core/tasks/answer';
import { attention, chunkAttentionScores } from '../../src/core/tasks/attention';
import { classify } from '../../src/core/tasks/classify';
import { embed } from '../../src/core/tasks/embed';
import { softmax } from '../../src/core/tasks/math';
import { prepareDocument, toModelInputs } from '../../src/core/tasks/pipeline';
import { loadTokenizer } from '../../src/core/tokenizer';
import type { RobertaTokenizer } from '../../src/core/tokenizer/tokenizer';
import { syntheticDocument } from '../unit/tasks/helpers';
import { writeTaskCheckpoint } from './support-checkpoint';
import { TEST_PROVIDER } from '../support/provider';

describe('document tasks end to end on the engine (incl. a 30,000-token document)', function () {
  this.timeout(600_000);
  let dir: string;
  let tokenizer: RobertaTokenizer;
  let text: string;
  let cls: OpenedEngine;
  let qa: OpenedEngine;
  let base: OpenedEngine;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lens-long-'));
    await writeTaskCheckpoint(join(dir, 'cls'), 'sequence-classification', 11, {
      maxPositionEmbeddings: 514,
      attentionWindow: 64,
      labels: ['a', 'b', 'c'],
    });
    await writeTaskCheckpoint(join(dir, 'qa'), 'question-answering', 12, { maxPositionEmbeddings: 514, attentionWindow: 64 });
    tokenizer = loadTokenizer(join(dir, 'cls'));
    text = `${syntheticDocument(820, 21)}\n\nThe zebra crossing is near the station.\n\n${syntheticDocument(820, 22)}`;
    cls = await openEngine(join(dir, 'cls'), { provider: TEST_PROVIDER, cacheDir: join(dir, 'cache') });
    qa = await openEngine(join(dir, 'qa'), { provider: TEST_PROVIDER, cacheDir: join(dir, 'cache') });
    await writeTaskCheckpoint(join(dir, 'base'), 'base', 13, { maxPositionEmbeddings: 130, attentionWindow: 16 });
    base = await openEngine(join(dir, 'base'), { provider: TEST_PROVIDER, cacheDir: join(dir, 'cache') });
  });

  after(async () => {
    await cls.dispose();
    await qa.dispose();
    await base.dispose();
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

  it('embeds a one-chunk document: <s> row and mean of the document rows of a direct run', async () => {
    const short = 'Longformer reads long documents. The zebra crossing is near the station.';
    const result = await embed(base, tokenizer, short);
    const prepared = prepareDocument(base.config, tokenizer, short, {});
    assert.equal(prepared.inputs.length, 1);
    const states = (await base.run(toModelInputs(prepared.inputs[0]!), ['last_hidden_state'])).tensors.get('last_hidden_state')!.data;
    const hidden = base.config.hiddenSize;
    const n = prepared.inputs[0]!.ids.length;
    for (let d = 0; d < hidden; d += 1) {
      assert.ok(Math.abs(result.cls[d]! - states[d]!) < 1e-5);
      let sum = 0;
      for (let p = 1; p < n - 1; p += 1) sum += states[p * hidden + d]!;
      assert.ok(Math.abs(result.mean[d]! - sum / (n - 2)) < 1e-4);
    }
  });

  it("reads the engine's attention layouts: every row is a distribution over the chunk", async () => {
    const doc = syntheticDocument(5, 31);
    const spans = [{ start: 40, end: 60 }];
    const prepared = prepareDocument(base.config, tokenizer, doc, { spans });
    assert.equal(prepared.inputs.length, 1);
    const input = prepared.inputs[0]!;
    const outputs = await base.run(toModelInputs(input), ['attentions', 'global_attentions']);
    const globalPositions = Int32Array.from([...input.global.keys()].filter((p) => input.global[p] === 1));
    assert.ok(globalPositions.length > 1);
    const chunk = { attentions: outputs.attentions!, globalAttentions: outputs.globalAttentions, globalPositions };
    const seq = input.ids.length;
    for (const token of [0, globalPositions[1]!, 3, seq - 1]) {
      for (const layer of [0, 1]) {
        const row = chunkAttentionScores(chunk, seq, 'token', { layer, head: 1 }, token);
        assert.ok(Math.abs(row.reduce((a, b) => a + b) - 1) < 1e-4, `token ${token} layer ${layer}`);
        if (!globalPositions.includes(token)) {
          // A local token sees its window and the globals only.
          row.forEach((v, j) =>
            assert.ok(v === 0 || Math.abs(j - token) <= 8 || globalPositions.includes(j), `token ${token} attends to ${j}`),
          );
        }
      }
    }
    const received = chunkAttentionScores(chunk, seq, 'received', {});
    assert.ok(Math.abs(received.reduce((a, b) => a + b) - seq) < 1e-2);
    const map = await attention(base, tokenizer, doc, { spans, mode: 'received' });
    assert.equal(map.scores.length, prepared.tokens.ids.length);
    map.scores.forEach((v, i) => assert.ok(Math.abs(v - received[i + 1]!) < 1e-5));
  });
});
