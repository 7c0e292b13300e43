// The engine's per-head attention outputs narrowed to some layers against slices of the full outputs; and the
// attention task (which derives every selection from the token-scores cube, attention-cube.ts) against the map
// computed from the full per-head tensors, on one random-weight checkpoint with several chunks and extra global
// tokens, for every mode and layer/head/mean choice.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LensError } from '../../src/core/errors';
import type { ModelOutputs } from '../../src/core/runtime/engine';
import { openEngine, type OpenedEngine } from '../../src/core/runtime/open';
import {
  attention,
  type AttentionMode,
  type AttentionSelection,
  chunkAttentionScores,
  tokenAtOffset,
} from '../../src/core/tasks/attention';
import { chunkOwnership } from '../../src/core/tasks/chunking';
import { type ChunkInput, prepareDocument, toModelInputs } from '../../src/core/tasks/pipeline';
import { loadTokenizer } from '../../src/core/tokenizer';
import type { RobertaTokenizer } from '../../src/core/tokenizer/tokenizer';
import { lensError } from '../support/lens-error';
import { syntheticDocument } from '../unit/tasks/helpers';
import { writeTaskCheckpoint } from './support-checkpoint';
import { TEST_PROVIDER } from '../support/provider';

const MODES: readonly AttentionMode[] = ['global', 'received', 'token'];
const LAYERS = 2;
const HEADS = 4;

/** Every layer/head choice: one layer or the mean, one head or the mean. */
function selections(): AttentionSelection[] {
  const list: AttentionSelection[] = [];
  for (const layer of [undefined, ...Array(LAYERS).keys()]) {
    for (const head of [undefined, ...Array(HEADS).keys()]) {
      list.push({ ...(layer === undefined ? {} : { layer }), ...(head === undefined ? {} : { head }) });
    }
  }
  return list;
}

function globalPositions(input: ChunkInput): Int32Array {
  return Int32Array.from([...input.global.keys()].filter((p) => input.global[p] === 1));
}

function chunkOf(result: ModelOutputs, input: ChunkInput): Parameters<typeof chunkAttentionScores>[0] {
  assert.ok(result.attentions !== undefined);
  return { attentions: result.attentions, globalAttentions: result.globalAttentions, globalPositions: globalPositions(input) };
}

/** Within 1e-6, relative to the value where it exceeds 1 (attention received sums over many rows). */
function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i += 1) {
    const tolerance = 1e-6 * Math.max(1, Math.abs(want[i]!));
    assert.ok(Math.abs(got[i]! - want[i]!) <= tolerance, `${what} [${i}]: ${got[i]} vs ${want[i]}`);
  }
}

describe('attention task and narrowed attention outputs', function () {
  this.timeout(300_000);
  let dir: string;
  let tokenizer: RobertaTokenizer;
  let engine: OpenedEngine;
  let text: string;
  const spans = [
    { start: 30, end: 70 },
    { start: 700, end: 720 },
  ];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lens-lean-'));
    await writeTaskCheckpoint(join(dir, 'cls'), 'sequence-classification', 17, {
      maxPositionEmbeddings: 130,
      attentionWindow: 16,
      labels: ['a', 'b'],
    });
    tokenizer = loadTokenizer(join(dir, 'cls'));
    engine = await openEngine(join(dir, 'cls'), { provider: TEST_PROVIDER, cacheDir: join(dir, 'cache') });
    text = syntheticDocument(40, 5);
    assert.equal(engine.config.numHiddenLayers, LAYERS);
    assert.equal(engine.config.numAttentionHeads, HEADS);
  });

  after(async () => {
    await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the engine returns the asked layers, per head in HF layout', async () => {
    const prepared = prepareDocument(engine.config, tokenizer, text, { spans });
    assert.ok(prepared.inputs.length >= 3, `only ${prepared.inputs.length} chunks`);
    for (const input of prepared.inputs) {
      const inputs = toModelInputs(input);
      const outputs = ['attentions', 'global_attentions'] as const;
      const full = await engine.run(inputs, outputs);
      assert.deepEqual(full.attentionLayers, [0, 1]);
      assert.deepEqual(full.attentions?.[0]?.shape.slice(0, 3), [1, HEADS, input.ids.length]);
      const oneLayer = await engine.run(inputs, outputs, { attentions: { layers: [1] } });
      assert.deepEqual(oneLayer.attentionLayers, [1]);
      assert.equal(oneLayer.attentions?.length, 1);
      assert.deepEqual(oneLayer.attentions[0], full.attentions[1]);
      assert.deepEqual(oneLayer.globalAttentions?.[0], full.globalAttentions![1]);
    }
  });

  it('rejects layers the model does not have', async () => {
    const inputs = toModelInputs(prepareDocument(engine.config, tokenizer, text, {}).inputs[0]!);
    const cases = [{ layers: [2] }, { layers: [1, 0] }, { layers: [0, 0] }, { layers: [] }];
    for (const attentions of cases) {
      await assert.rejects(engine.run(inputs, ['attentions'], { attentions }), (error: unknown) => {
        assert.ok(error instanceof LensError && error.code === 'BAD_ARGUMENT', JSON.stringify(attentions));
        return true;
      });
    }
  });

  it('the task gives the maps it computed from the full tensors, every mode and selection', async () => {
    const prepared = prepareDocument(engine.config, tokenizer, text, { spans });
    const owners = chunkOwnership(prepared.chunks);
    const fullRuns = await Promise.all(
      prepared.inputs.map(async (input) => engine.run(toModelInputs(input), ['attentions', 'global_attentions'])),
    );
    const n = prepared.tokens.ids.length;
    // The task as it was: every chunk's full per-head tensors, each document token from the chunk that owns it.
    const before = (mode: AttentionMode, selection: AttentionSelection, token?: number): Float32Array => {
      const scores = new Float32Array(n);
      prepared.inputs.forEach((input, c) => {
        const own = owners[c]!;
        if (token !== undefined && !(token >= own.start && token < own.end)) return;
        const position = token === undefined ? undefined : input.documentToken.indexOf(token);
        const chunkScores = chunkAttentionScores(chunkOf(fullRuns[c]!, input), input.ids.length, mode, selection, position);
        input.documentToken.forEach((t, p) => {
          if (t >= 0 && (mode === 'token' || (t >= own.start && t < own.end))) scores[t] = chunkScores[p]!;
        });
      });
      return scores;
    };
    const spanToken = prepared.spanTokens[0]!;
    for (const selection of selections()) {
      for (const mode of MODES) {
        for (const token of mode === 'token' ? [0, spanToken, Math.floor(n / 2), n - 1] : [undefined]) {
          const map = await attention(engine, tokenizer, text, { spans, mode, ...selection, ...(token === undefined ? {} : { token }) });
          assert.equal(map.layer, selection.layer ?? 'mean');
          assert.equal(map.head, selection.head ?? 'mean');
          assertClose(map.scores, before(mode, selection, token), `task ${mode} ${JSON.stringify(selection)} token ${token}`);
        }
      }
    }
  });

  it('finds the token at a character offset from the document tokens it already has', async () => {
    const tokens = tokenizer.tokenize(text);
    const at = tokens.starts[Math.floor(tokens.ids.length / 2)]! + 1;
    const token = tokenAtOffset(tokens.starts, tokens.ends, at);
    const byOffset = await attention(engine, tokenizer, text, { spans, mode: 'token', at, layer: 1 });
    const byIndex = await attention(engine, tokenizer, text, { spans, mode: 'token', token, layer: 1 });
    assert.equal(byOffset.token, token);
    assert.deepEqual(byOffset.scores, byIndex.scores);
    await assert.rejects(
      attention(engine, tokenizer, text, { mode: 'token', at: text.length }),
      lensError('BAD_ARGUMENT', /outside the document/),
    );
  });
});
