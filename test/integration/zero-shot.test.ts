// Zero-shot classification on a random-weight masked-LM checkpoint (the fixture vocabulary): label scores checked
// against a direct computation from the engine's masked-LM logits on hand-built inputs, calibration checked on the
// label the model prefers before reading anything, and long documents aggregated over chunks.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine, type OpenedEngine } from '../../src/core/runtime/open';
import { softmax } from '../../src/core/tasks/math';
import { CONTENT_FREE_TEXT, zeroShotClassify } from '../../src/core/tasks/zero-shot';
import { parseLabels } from '../../src/core/tasks/zero-shot-prompt';
import { loadTokenizer } from '../../src/core/tokenizer';
import type { RobertaTokenizer } from '../../src/core/tokenizer/tokenizer';
import { lensError } from '../support/lens-error';
import { syntheticDocument } from '../unit/tasks/helpers';
import { writeTaskCheckpoint } from './support-checkpoint';

const TEMPLATE = 'This document is about <mask>.';

describe('zero-shot classification on a masked-LM checkpoint', function () {
  this.timeout(300_000);
  let dir: string;
  let tokenizer: RobertaTokenizer;
  let engine: OpenedEngine;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lens-zero-shot-'));
    await writeTaskCheckpoint(join(dir, 'mlm'), 'masked-lm', 21);
    tokenizer = loadTokenizer(join(dir, 'mlm'));
    engine = await openEngine(join(dir, 'mlm'), { provider: 'cpu', cacheDir: join(dir, 'cache') });
  });

  after(async () => {
    await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The direct computation: `<s> prompt </s></s> text </s>` built by hand, `<s>` and the mask global, log-softmax at the mask. */
  async function directLogProbs(text: string): Promise<Float64Array> {
    const before = [...tokenizer.tokenize('This document is about').ids];
    const ids = [0, ...before, tokenizer.special.mask!, ...tokenizer.tokenize('.').ids, 2, 2, ...tokenizer.tokenize(text).ids, 2];
    const maskAt = 1 + before.length;
    const n = ids.length;
    const global = new BigInt64Array(n);
    global[0] = 1n;
    global[maskAt] = 1n;
    const out = await engine.run(
      {
        batchSize: 1,
        seqLen: n,
        inputIds: BigInt64Array.from(ids, BigInt),
        attentionMask: new BigInt64Array(n).fill(1n),
        globalAttentionMask: global,
      },
      ['logits'],
    );
    const vocab = engine.config.vocabSize;
    const row = out.tensors.get('logits')!.data.subarray(maskAt * vocab, (maskAt + 1) * vocab);
    let max = -Infinity;
    for (const value of row) max = Math.max(max, value);
    let sum = 0;
    for (const value of row) sum += Math.exp(value - max);
    return Float64Array.from(row, (value) => value - max - Math.log(sum));
  }

  const id = (word: string): number[] => [...tokenizer.tokenize(word).ids];
  const mean = (logProbs: Float64Array, ids: number[]): number => ids.reduce((s, i) => s + logProbs[i]!, 0) / ids.length;

  it('scores labels by the mean log-probability of their tokens at the mask, synonyms summed, calibrated by the content-free input', async () => {
    const text = 'The tenant pays the rent on the first day of every month, and the landlord repairs the roof.';
    // " photosynthesis" is several tokens: its score is the mean over them.
    assert.ok(id(' photosynthesis').length > 1);
    const labels = parseLabels('lease=lease|rent,biology=photosynthesis,music');
    const result = await zeroShotClassify(engine, tokenizer, text, labels, { template: TEMPLATE });

    const expectScores = (logProbs: Float64Array): number[] => [
      Math.log(Math.exp(mean(logProbs, id(' lease'))) + Math.exp(mean(logProbs, id(' rent')))),
      mean(logProbs, id(' photosynthesis')),
      mean(logProbs, id(' music')),
    ];
    const raw = expectScores(await directLogProbs(text));
    const contentFree = expectScores(await directLogProbs(CONTENT_FREE_TEXT));
    raw.forEach((score, i) => assert.ok(Math.abs(result.rawScores[i]! - score) < 1e-5, `raw ${i}: ${result.rawScores[i]} vs ${score}`));
    contentFree.forEach((score, i) => assert.ok(Math.abs(result.calibration.scores[i]! - score) < 1e-5, `content-free ${i}`));
    const expected = softmax(raw.map((score, i) => score - contentFree[i]!));
    expected.forEach((p, i) =>
      assert.ok(Math.abs(result.probabilities[i]! - p) < 1e-4, `probability ${i}: ${result.probabilities[i]} vs ${p}`),
    );
    assert.equal(result.method, 'zero-shot');
    assert.equal(result.template, TEMPLATE);
    assert.equal(result.calibration.applied, true);
    assert.equal(result.chunks.length, 1);
  });

  it("calibration takes away the a-priori favourite's head start; the content-free input itself ties every label", async () => {
    const words = ['law', 'music', 'code', 'food', 'sport', 'money', 'war', 'art', 'health', 'travel', 'school', 'weather'];
    const labels = parseLabels(words.join(','));
    const text = syntheticDocument(60, 5);
    const uncalibrated = await zeroShotClassify(engine, tokenizer, text, labels, { template: TEMPLATE, calibrate: false });
    const calibrated = await zeroShotClassify(engine, tokenizer, text, labels, { template: TEMPLATE });
    // The favourite: the label the model gives most probability on the content-free input.
    const prior = calibrated.calibration.probabilities;
    const favourite = prior.indexOf(Math.max(...prior));
    assert.ok(prior[favourite]! > 1.5 / words.length, `no clear a-priori favourite: ${[...prior].join(', ')}`);
    // Dividing by the prior: the favourite's share falls, and the ranking follows raw - prior, not raw.
    assert.ok(calibrated.probabilities[favourite]! < uncalibrated.probabilities[favourite]!);
    const shifted = words.map((_, i) => uncalibrated.logits[i]! - calibrated.calibration.scores[i]!);
    assert.equal(calibrated.label, words[shifted.indexOf(Math.max(...shifted))]);
    // On the content-free input every label's evidence is exactly its prior: calibrated, they tie.
    const onPrior = await zeroShotClassify(engine, tokenizer, CONTENT_FREE_TEXT, labels, { template: TEMPLATE });
    for (const p of onPrior.probabilities) assert.ok(Math.abs(p - 1 / words.length) < 1e-5);
    const rawOnPrior = await zeroShotClassify(engine, tokenizer, CONTENT_FREE_TEXT, labels, { template: TEMPLATE, calibrate: false });
    assert.equal(rawOnPrior.label, words[favourite]);
  });

  it('chunks a long document and averages the chunks, with the prompt in every chunk', async () => {
    const text = syntheticDocument(150, 9);
    const labels = parseLabels('law,music,code');
    const result = await zeroShotClassify(engine, tokenizer, text, labels, { template: TEMPLATE, maxLength: 100 });
    assert.ok(result.chunks.length >= 3, `${result.chunks.length} chunks`);
    // Each chunk's probabilities are softmax of its calibrated scores; the document's logits are their mean.
    const chunkLogits = result.chunks.map((chunk) => [...chunk.probabilities].map(Math.log));
    const centred = chunkLogits.map((row) => row.map((v) => v - row[0]!));
    const meanCentred = labels.map((_, i) => centred.reduce((s, row) => s + row[i]!, 0) / centred.length);
    softmax(meanCentred).forEach((p, i) => assert.ok(Math.abs(result.probabilities[i]! - p) < 1e-4));
    // The first chunk equals a direct run on its text.
    const first = result.chunks[0]!;
    const direct = await zeroShotClassify(engine, tokenizer, text.slice(first.start, first.end), labels, {
      template: TEMPLATE,
      maxLength: 100,
    });
    assert.equal(direct.chunks.length, 1);
    direct.probabilities.forEach((p, i) => assert.ok(Math.abs(first.probabilities[i]! - p) < 1e-3));
  });

  it('computes the masked-LM logits at the asked positions only, the same numbers as those rows of the full logits', async () => {
    const ids = [0, ...tokenizer.tokenize('The tenant pays the rent on the first day of every month.').ids, 2];
    const n = ids.length;
    const global = new BigInt64Array(n);
    global[0] = 1n;
    const inputs = {
      batchSize: 1,
      seqLen: n,
      inputIds: BigInt64Array.from(ids, BigInt),
      attentionMask: new BigInt64Array(n).fill(1n),
      globalAttentionMask: global,
    };
    const vocab = engine.config.vocabSize;
    const full = (await engine.run(inputs, ['logits'])).tensors.get('logits')!;
    assert.deepEqual(full.shape, [1, n, vocab]);
    const positions = [5, 0, n - 1];
    const some = (await engine.run(inputs, ['logits'], { logitPositions: positions })).tensors.get('logits')!;
    assert.deepEqual(some.shape, [1, positions.length, vocab]);
    // Identical, not close: the LM head works on each row alone, and gathering rows first changes no arithmetic.
    positions.forEach((position, k) => {
      const expected = full.data.subarray(position * vocab, (position + 1) * vocab);
      const got = some.data.subarray(k * vocab, (k + 1) * vocab);
      const differing = got.reduce((count, value, v) => count + (value === expected[v] ? 0 : 1), 0);
      assert.equal(differing, 0, `position ${position}: ${differing} of ${vocab} logits differ`);
    });
    // A run that fetches no logits computes none, and its other outputs are unchanged.
    const hiddenWithLogits = (await engine.run(inputs, ['logits', 'last_hidden_state'])).tensors.get('last_hidden_state')!;
    const hiddenAlone = (await engine.run(inputs, ['last_hidden_state'])).tensors.get('last_hidden_state')!;
    assert.deepEqual([...hiddenAlone.data], [...hiddenWithLogits.data]);
    await assert.rejects(engine.run(inputs, ['logits'], { logitPositions: [n] }), lensError('BAD_ARGUMENT', /outside the/));
  });

  it('refuses a model without a masked-LM head and a template that leaves no room', async () => {
    await writeTaskCheckpoint(join(dir, 'base'), 'base', 22);
    const base = await openEngine(join(dir, 'base'), { provider: 'cpu', cacheDir: join(dir, 'cache') });
    try {
      await assert.rejects(zeroShotClassify(base, tokenizer, 'text', parseLabels('a,b')), lensError('WRONG_HEAD', /masked-lm head/));
    } finally {
      await base.dispose();
    }
    const long = `${'very '.repeat(200)}<mask>`;
    await assert.rejects(
      zeroShotClassify(engine, tokenizer, 'text', parseLabels('a,b'), { template: long }),
      lensError('INPUT_TOO_LONG', /template takes/),
    );
  });
});
