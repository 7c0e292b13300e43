import { strict as assert } from 'node:assert';
import type { FloatTensor } from '../../../src/core/checkpoint/tensor';
import { type AttentionMode, chunkAttentionScores, tokenAtOffset } from '../../../src/core/tasks/attention';
import { rng } from './helpers';

// Random dense attention that respects Longformer's sparsity, written into HuggingFace's output layouts.
function makeCase(seed: number) {
  const random = rng(seed);
  const layers = 2;
  const heads = 3;
  const seq = 11;
  const w = 2;
  const globals = [0, 4, 9];
  const x = globals.length;
  const padded = 16;
  const isGlobal = (j: number): boolean => globals.includes(j);
  const dense: number[][][][] = [];
  const attentions: FloatTensor[] = [];
  const globalAttentions: FloatTensor[] = [];
  for (let l = 0; l < layers; l += 1) {
    const local = new Float32Array(heads * seq * (x + 2 * w + 1));
    const global = new Float32Array(heads * padded * x);
    dense.push([]);
    for (let h = 0; h < heads; h += 1) {
      const rows: number[][] = [];
      for (let i = 0; i < seq; i += 1) {
        const allowed = (j: number): boolean => isGlobal(i) || isGlobal(j) || Math.abs(i - j) <= w;
        const raw = Array.from({ length: seq }, (_, j) => (allowed(j) ? random() + 0.01 : 0));
        const total = raw.reduce((a, b) => a + b);
        rows.push(raw.map((v) => Math.fround(v / total)));
      }
      dense[l]!.push(rows);
      for (let i = 0; i < seq; i += 1) {
        const k = globals.indexOf(i);
        if (k >= 0) {
          for (let j = 0; j < seq; j += 1) global[(h * padded + j) * x + k] = rows[i]![j]!;
          continue;
        }
        const base = (h * seq + i) * (x + 2 * w + 1);
        globals.forEach((g, c) => (local[base + c] = rows[i]![g]!));
        for (let o = -w; o <= w; o += 1) {
          const j = i + o;
          if (j >= 0 && j < seq && !isGlobal(j)) local[base + x + w + o] = rows[i]![j]!;
        }
      }
    }
    attentions.push({ dtype: 'float32', shape: [1, heads, seq, x + 2 * w + 1], data: local });
    globalAttentions.push({ dtype: 'float32', shape: [1, heads, padded, x], data: global });
  }
  return { dense, attentions, globalAttentions, globals: Int32Array.from(globals), seq, layers, heads };
}

function expected(
  c: ReturnType<typeof makeCase>,
  mode: AttentionMode,
  layer: number | undefined,
  head: number | undefined,
  token: number,
): number[] {
  const out = new Array<number>(c.seq).fill(0);
  const layers = layer === undefined ? [...Array(c.layers).keys()] : [layer];
  const heads = head === undefined ? [...Array(c.heads).keys()] : [head];
  for (const l of layers) {
    for (const h of heads) {
      const m = c.dense[l]![h]!;
      for (let j = 0; j < c.seq; j += 1) {
        let v = 0;
        if (mode === 'token') v = m[token]![j]!;
        else if (mode === 'received') for (let i = 0; i < c.seq; i += 1) v += m[i]![j]!;
        else v = [...c.globals].reduce((sum, g) => sum + m[g]![j]!, 0) / c.globals.length;
        out[j]! += v / (layers.length * heads.length);
      }
    }
  }
  return out;
}

describe('attention maps', () => {
  it('read the local and global layouts back into dense attention, per layer/head and averaged', () => {
    for (let seed = 1; seed <= 4; seed += 1) {
      const c = makeCase(seed);
      for (const mode of ['global', 'received', 'token'] as const) {
        for (const layer of [undefined, 0, 1]) {
          for (const head of [undefined, 2]) {
            for (const token of mode === 'token' ? [0, 3, 4, 10] : [0]) {
              const selection = { ...(layer === undefined ? {} : { layer }), ...(head === undefined ? {} : { head }) };
              const got = chunkAttentionScores(
                { attentions: c.attentions, globalAttentions: c.globalAttentions, globalPositions: c.globals },
                c.seq,
                mode,
                selection,
                token,
              );
              const want = expected(c, mode, layer, head, token);
              got.forEach((v, j) =>
                assert.ok(Math.abs(v - want[j]!) < 1e-5, `seed ${seed} ${mode} l=${layer} h=${head} t=${token} j=${j}: ${v} vs ${want[j]}`),
              );
            }
          }
        }
      }
      // Every row is a distribution, so the attention received sums to the number of tokens.
      const received = chunkAttentionScores(
        { attentions: c.attentions, globalAttentions: c.globalAttentions, globalPositions: c.globals },
        c.seq,
        'received',
        {},
      );
      assert.ok(Math.abs(received.reduce((a, b) => a + b) - c.seq) < 1e-4);
    }
  });

  it('finds the token at an offset', () => {
    const starts = Uint32Array.from([0, 3, 3, 6, 8]);
    const ends = Uint32Array.from([3, 4, 4, 8, 8]);
    assert.equal(tokenAtOffset(starts, ends, 0), 0);
    assert.equal(tokenAtOffset(starts, ends, 2), 0);
    assert.equal(tokenAtOffset(starts, ends, 3), 1);
    assert.equal(tokenAtOffset(starts, ends, 7), 3);
    assert.equal(tokenAtOffset(starts, ends, 9), 4);
  });
});
