// The task functions over an Engine whose outputs are a known function of the input ids, so the orchestration
// (chunk inputs, progress, cancellation, mapping back to characters) is checked without a model.
import { strict as assert } from 'node:assert';
import type { LongformerConfig } from '../../../src/core/checkpoint/config';
import { syntheticConfig } from '../../../src/core/checkpoint/synthetic';
import type { FloatTensor } from '../../../src/core/checkpoint/tensor';
import { LensError } from '../../../src/core/errors';
import type { Engine, ModelInputs, ModelOutputs, OutputName } from '../../../src/core/runtime/engine';
import { answer } from '../../../src/core/tasks/answer';
import { classify } from '../../../src/core/tasks/classify';
import { embed } from '../../../src/core/tasks/embed';
import { softmax } from '../../../src/core/tasks/math';
import { fixtureTokenizer, syntheticDocument } from './helpers';

const tokenizer = fixtureTokenizer();
const id = (piece: string): number => tokenizer.tokenize(piece).ids[0]!;
const ZEBRA = id(' zebra');
const CROSSING = id(' crossing');
const MODEL = id(' model');

class ScriptedEngine implements Engine {
  readonly seen: ModelInputs[] = [];
  constructor(readonly config: LongformerConfig) {}

  run(inputs: ModelInputs, outputs: readonly OutputName[]): Promise<ModelOutputs> {
    this.seen.push(inputs);
    const n = inputs.seqLen;
    const ids = Array.from(inputs.inputIds, Number);
    const tensors = new Map<OutputName, FloatTensor>();
    const tensor = (shape: number[], data: Float32Array): FloatTensor => ({ dtype: 'float32', shape, data });
    for (const name of outputs) {
      if (name === 'logits') {
        // Label 1 grows with the share of " model" tokens; label 0 is a constant; label 2 is the chunk length.
        const share = ids.filter((t) => t === MODEL).length / n;
        tensors.set(name, tensor([1, 3], Float32Array.from([0.5, 20 * share, n / 100])));
      } else if (name === 'start_logits' || name === 'end_logits') {
        const target = name === 'start_logits' ? ZEBRA : CROSSING;
        // `<s>` gets 3: the null answer wins unless the target tokens (12) are in the chunk.
        tensors.set(
          name,
          tensor(
            [1, n],
            Float32Array.from(ids, (t, p) => (t === target ? 12 : p === 0 ? 3 : 0)),
          ),
        );
      } else if (name === 'last_hidden_state') {
        // Hidden state of a position = [id, 1].
        tensors.set(
          name,
          tensor(
            [1, n, 2],
            Float32Array.from({ length: 2 * n }, (_, i) => (i % 2 === 0 ? ids[i >> 1]! : 1)),
          ),
        );
      }
    }
    return Promise.resolve({ provider: 'scripted', precision: 'fp32', tensors });
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

const base = { vocabSize: 50265, maxPositionEmbeddings: 202, attentionWindow: 8, labels: ['neg', 'mid', 'pos'] };
const document = `${syntheticDocument(80, 1)}\n\nThe zebra crossing is here.\n\n${syntheticDocument(80, 2)}`;
const isLensError = (code: string) => (error: unknown) => error instanceof LensError && error.code === code;

describe('document tasks over an engine', () => {
  it('classify: one run per chunk, progress, mean logits, chunk ranges', async () => {
    const engine = new ScriptedEngine(syntheticConfig({ ...base, head: 'sequence-classification' }));
    const progress: string[] = [];
    const result = await classify(engine, tokenizer, document, { onProgress: (p) => progress.push(`${p.done}/${p.total}`) });
    const chunks = result.chunks.length;
    assert.ok(chunks > 3);
    assert.equal(engine.seen.length, chunks);
    assert.deepEqual(
      progress,
      Array.from({ length: chunks + 1 }, (_, i) => `${i}/${chunks}`),
    );
    for (const input of engine.seen) {
      assert.ok(input.seqLen <= 200);
      assert.equal(input.inputIds[0], 0n);
      assert.equal(input.inputIds[input.seqLen - 1], 2n);
      assert.ok(input.attentionMask.every((v) => v === 1n));
      assert.deepEqual([...input.globalAttentionMask].map(Number), [1, ...new Array<number>(input.seqLen - 1).fill(0)]);
    }
    const mean = [0, 1, 2].map(
      (k) =>
        engine.seen.reduce((sum, input) => {
          const ids = Array.from(input.inputIds, Number);
          const row = [0.5, (20 * ids.filter((t) => t === MODEL).length) / input.seqLen, input.seqLen / 100];
          return sum + row[k]!;
        }, 0) / chunks,
    );
    [...result.logits].forEach((v, k) => assert.ok(Math.abs(v - mean[k]!) < 1e-5));
    const probabilities = softmax(mean);
    [...result.probabilities].forEach((p, k) => assert.ok(Math.abs(p - probabilities[k]!) < 1e-6));
    assert.equal(result.label, ['neg', 'mid', 'pos'][probabilities.indexOf(Math.max(...probabilities))]);
    assert.equal(result.chunks[0]!.start, 0);
    assert.equal(result.chunks.at(-1)!.end, document.trimEnd().length);
    assert.equal(result.provider, 'scripted');
  });

  it('classify: spans add global tokens; wrong head and bad spans are refused', async () => {
    const engine = new ScriptedEngine(syntheticConfig({ ...base, head: 'sequence-classification' }));
    const at = document.indexOf('zebra');
    const result = await classify(engine, tokenizer, document, { spans: [{ start: at, end: at + 5 }] });
    const zebraTokens = tokenizer.tokenize(document).starts.filter((s) => s >= at && s < at + 5).length;
    assert.equal(result.globalTokens, zebraTokens);
    const globalsPerRun = engine.seen.map((input) => input.globalAttentionMask.reduce((a, b) => a + b, 0n));
    const withSpan = BigInt(1 + zebraTokens);
    assert.ok(globalsPerRun.some((g) => g === withSpan) && globalsPerRun.every((g) => g === 1n || g === withSpan));
    await assert.rejects(
      classify(engine, tokenizer, document, { spans: [{ start: 0, end: document.length + 5 }] }),
      isLensError('BAD_ARGUMENT'),
    );
    const qa = new ScriptedEngine(syntheticConfig({ ...base, head: 'question-answering' }));
    await assert.rejects(classify(qa, tokenizer, document), isLensError('WRONG_HEAD'));
    await assert.rejects(answer(engine, tokenizer, 'Where?', document), isLensError('WRONG_HEAD'));
  });

  it('answer: finds the span in a middle chunk and reports it in document characters', async () => {
    const engine = new ScriptedEngine(syntheticConfig({ ...base, head: 'question-answering' }));
    const result = await answer(engine, tokenizer, 'Where is the crossing?', document, { topK: 3 });
    assert.ok(engine.seen.length > 3);
    const best = result.answers[0]!;
    assert.equal(best.text, 'zebra crossing');
    assert.equal(best.start, document.indexOf('zebra crossing'));
    assert.equal(best.end, best.start + 'zebra crossing'.length);
    assert.equal(result.noAnswer, false);
    assert.ok(result.answers.length <= 3);
    // The question is global in every run.
    const q = tokenizer.tokenize('Where is the crossing?').ids.length;
    for (const input of engine.seen)
      assert.deepEqual([...input.globalAttentionMask.subarray(0, q + 2)].map(Number), [...new Array<number>(q + 1).fill(1), 0]);
  });

  it('answer: no answer when the text is not there', async () => {
    const engine = new ScriptedEngine(syntheticConfig({ ...base, head: 'question-answering' }));
    const result = await answer(engine, tokenizer, 'Where is the crossing?', syntheticDocument(50, 3));
    assert.equal(result.noAnswer, true);
    await assert.rejects(answer(engine, tokenizer, '  ', document), /question is empty/);
  });

  it('stops between chunks when cancelled', async () => {
    const engine = new ScriptedEngine(syntheticConfig({ ...base, head: 'sequence-classification' }));
    const controller = new AbortController();
    const run = classify(engine, tokenizer, document, {
      signal: controller.signal,
      onProgress: ({ done }) => {
        if (done === 2) controller.abort();
      },
    });
    await assert.rejects(run, isLensError('CANCELLED'));
    assert.equal(engine.seen.length, 2);
  });

  it('embed: <s> and mean vectors count every document token once', async () => {
    const engine = new ScriptedEngine({ ...syntheticConfig({ ...base, head: 'base' }), hiddenSize: 2 });
    const result = await embed(engine, tokenizer, document);
    const ids = tokenizer.tokenize(document).ids;
    const mean = ids.reduce((a, b) => a + b, 0) / ids.length;
    assert.ok(Math.abs(result.mean[0]! - mean) < 1e-2 * Math.max(1, mean));
    assert.equal(result.mean[1], 1);
    assert.equal(result.cls[0], 0);
  });
});
