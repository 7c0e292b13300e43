// The block-layout sliding window against a direct loop over its definition: query i attends its valid global
// slots and the keys i + d·k (|k| <= w) inside the sequence that may sit in a window. Covers a window of 2 (w = 1),
// dilation, and lengths that no block size divides; and the token scores' column sums and query row (token-scores.ts).
import { strict as assert } from 'node:assert';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { GraphBuilder } from '../../../src/core/graph/builder';
import { slidingWindowAttention } from '../../../src/core/graph/longformer/sliding-window';
import { serializeModel } from '../../../src/core/graph/serialize';

const B = 2;
const H = 2;
const P = 11;
const DH = 3;
const X = 2;
const SLOT_VALID = [1, 1, 1, 0]; // (B, X): row 1 has one real global and one filler slot
/** The query position whose own row the token scores return: a local token of both rows. */
const QUERY = 4;
const KEY_IN_WINDOW = [1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 0, /* row 1 */ 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0];

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

function naive(q: Float32Array, k: Float32Array, v: Float32Array, kg: Float32Array, vg: Float32Array, w: number, d: number) {
  const context = new Float32Array(B * H * P * DH);
  const byOffset = new Float32Array(B * H * P * (2 * w + 1));
  const bySlot = new Float32Array(B * H * P * X);
  const dot = (a: Float32Array, ai: number, c: Float32Array, ci: number): number => {
    let sum = 0;
    for (let j = 0; j < DH; j += 1) sum += (a[ai + j] ?? 0) * (c[ci + j] ?? 0);
    return sum;
  };
  for (let b = 0; b < B; b += 1) {
    for (let h = 0; h < H; h += 1) {
      const base = (b * H + h) * P;
      for (let i = 0; i < P; i += 1) {
        const entries: { score: number; value: Float32Array; at: number; offset?: number; slot?: number }[] = [];
        for (let s = 0; s < X; s += 1) {
          if (SLOT_VALID[b * X + s] === 1)
            entries.push({
              score: dot(q, (base + i) * DH, kg, ((b * H + h) * X + s) * DH),
              value: vg,
              at: ((b * H + h) * X + s) * DH,
              slot: s,
            });
        }
        for (let o = -w; o <= w; o += 1) {
          const t = i + d * o;
          if (t >= 0 && t < P && KEY_IN_WINDOW[b * P + t] === 1)
            entries.push({ score: dot(q, (base + i) * DH, k, (base + t) * DH), value: v, at: (base + t) * DH, offset: o });
        }
        const max = Math.max(...entries.map((e) => e.score));
        const total = entries.reduce((sum, e) => sum + Math.exp(e.score - max), 0);
        for (const e of entries) {
          const p = Math.exp(e.score - max) / total;
          for (let j = 0; j < DH; j += 1) context[(base + i) * DH + j] = (context[(base + i) * DH + j] ?? 0) + p * (e.value[e.at + j] ?? 0);
          if (e.offset !== undefined) byOffset[(base + i) * (2 * w + 1) + e.offset + w] = p;
          if (e.slot !== undefined) bySlot[(base + i) * X + e.slot] = p;
        }
      }
    }
  }
  return { context, byOffset, bySlot };
}

describe('sliding-window attention (block layout)', () => {
  for (const [w, d] of [
    [1, 1],
    [2, 1],
    [1, 3],
    [2, 3],
    [3, 2],
    [4, 1],
    [6, 1],
  ] as const) {
    it(`window ${2 * w}, dilation ${d}, length ${P}: equals the direct definition`, async () => {
      const b = new GraphBuilder('window');
      const query = b.input('q', 'float32', [B, H, P, DH]);
      const key = b.input('k', 'float32', [B, H, P, DH]);
      const value = b.input('v', 'float32', [B, H, P, DH]);
      const globalKey = b.input('kg', 'float32', [B, H, X, DH]);
      const globalValue = b.input('vg', 'float32', [B, H, X, DH]);
      const keyInWindow = b.input('key_in_window', 'float32', [B, P]);
      const slotValid = b.input('slot_valid', 'bool', [B, X]);
      const inputs = {
        query,
        key,
        value,
        keyInWindow,
        globalKey,
        globalValue,
        globalSlotValid: slotValid,
        batch: b.constInt64([B]),
        padded: b.constInt64([P]),
        numGlobal: b.constInt64([X]),
      };
      const result = slidingWindowAttention(b, inputs, { heads: H, headDim: DH, oneSided: w, dilation: d, probs: true });
      // Token scores (token-scores.ts) with the window's key mask as the row mask: the rows of masked tokens do not count.
      const tokenScores = { rowIsLocal: keyInWindow, query: b.constInt64([QUERY]) };
      const scored = b.scoped('scored', () =>
        slidingWindowAttention(b, inputs, { heads: H, headDim: DH, oneSided: w, dilation: d, tokenScores }),
      );
      assert.ok(result.windowProbs !== undefined && scored.tokenScores !== undefined);
      b.output(result.context, 'context', 'float32', [B, H, P, DH]);
      b.output(result.windowProbs, 'by_offset', 'float32', [B, H, P, 2 * w + 1]);
      b.output(scored.context, 'scored_context', 'float32', [B, H, P, DH]);
      b.output(scored.tokenScores.localReceived, 'local_received', 'float32', [B, H, P]);
      b.output(scored.tokenScores.localToGlobals, 'local_to_globals', 'float32', [B, H, X]);
      b.output(scored.tokenScores.queryLocal, 'query_local', 'float32', [B, H, X + 2 * w + 1]);
      const next = random(w * 100 + d);
      const make = (count: number): Float32Array => Float32Array.from({ length: count }, () => next() * 4);
      const [q, k, v] = [make(B * H * P * DH), make(B * H * P * DH), make(B * H * P * DH)];
      const [kg, vg] = [make(B * H * X * DH), make(B * H * X * DH)];
      const session = await InferenceSession.create(serializeModel(b.build()));
      const dims = [B, H, P, DH];
      const out = await session.run({
        q: new Tensor('float32', q, dims),
        k: new Tensor('float32', k, dims),
        v: new Tensor('float32', v, dims),
        kg: new Tensor('float32', kg, [B, H, X, DH]),
        vg: new Tensor('float32', vg, [B, H, X, DH]),
        key_in_window: new Tensor('float32', Float32Array.from(KEY_IN_WINDOW), [B, P]),
        slot_valid: new Tensor('bool', Uint8Array.from(SLOT_VALID), [B, X]),
      });
      await session.release();
      const expected = naive(q, k, v, kg, vg, w, d);
      const context = out['context']?.data as Float32Array;
      const byOffset = out['by_offset']?.data as Float32Array;
      assert.deepEqual(out['scored_context']?.data, context, 'asking for token scores leaves the attention output as it is');
      const received = out['local_received']?.data as Float32Array;
      const toGlobals = out['local_to_globals']?.data as Float32Array;
      const queryRow = out['query_local']?.data as Float32Array;
      assert.deepEqual(out['query_local']?.dims, [B, H, X + 2 * w + 1]);
      let worst = 0;
      for (let b2 = 0; b2 < B; b2 += 1) {
        for (let h = 0; h < H; h += 1) {
          for (let i = 0; i < P; i += 1) {
            // Rows whose own key is masked can have no key at all; their values are discarded by the caller.
            if (KEY_IN_WINDOW[b2 * P + i] !== 1) continue;
            const row = (b2 * H + h) * P + i;
            for (let j = 0; j < DH; j += 1)
              worst = Math.max(worst, Math.abs((context[row * DH + j] ?? NaN) - (expected.context[row * DH + j] ?? NaN)));
            for (let o = 0; o <= 2 * w; o += 1) {
              worst = Math.max(
                worst,
                Math.abs((byOffset[row * (2 * w + 1) + o] ?? NaN) - (expected.byOffset[row * (2 * w + 1) + o] ?? NaN)),
              );
            }
          }
        }
        // Token scores: column sums over the rows that may sit in a window, by key and by global slot; the query's row.
        for (let h = 0; h < H; h += 1) {
          const wantReceived = new Float64Array(P);
          const wantToGlobals = new Float64Array(X);
          for (let i = 0; i < P; i += 1) {
            if (KEY_IN_WINDOW[b2 * P + i] !== 1) continue;
            const row = (b2 * H + h) * P + i;
            for (let o = -w; o <= w; o += 1)
              if (i + d * o >= 0 && i + d * o < P) wantReceived[i + d * o]! += expected.byOffset[row * (2 * w + 1) + o + w]!;
            for (let slot = 0; slot < X; slot += 1) wantToGlobals[slot]! += expected.bySlot[row * X + slot]!;
          }
          for (let j = 0; j < P; j += 1) worst = Math.max(worst, Math.abs(received[(b2 * H + h) * P + j]! - wantReceived[j]!));
          for (let slot = 0; slot < X; slot += 1)
            worst = Math.max(worst, Math.abs(toGlobals[(b2 * H + h) * X + slot]! - wantToGlobals[slot]!));
          const row = (b2 * H + h) * P + QUERY;
          const wantRow = [
            ...expected.bySlot.subarray(row * X, (row + 1) * X),
            ...expected.byOffset.subarray(row * (2 * w + 1), (row + 1) * (2 * w + 1)),
          ];
          wantRow.forEach((want, c) => {
            worst = Math.max(worst, Math.abs(queryRow[(b2 * H + h) * (X + 2 * w + 1) + c]! - want));
          });
        }
      }
      assert.ok(worst < 1e-5, `max |diff| ${worst}`);
    });
  }
});
