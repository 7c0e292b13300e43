// The rows of global tokens: they attend to the whole (padded) sequence with their own projections query_global,
// key_global and value_global, and their result replaces the local one
// (`_compute_global_attn_output_from_hidden`, modeling_longformer.py#L929-L1021). Cost: globals × sequence.
//
// Two exact ways to compute it, picked at run time by the number of global tokens x:
// - "projected keys" (HuggingFace's order): key_global and value_global project every token, 2·P·E² multiply-adds
//   per row of the batch whatever x is, then the x global queries attend over them.
// - "projected queries": the projections move onto the x global rows,
//     scores = qg · (h Wkᵀ + bk)ᵀ = (qg Wk) · hᵀ + qg·bk, where qg·bk is the same for every key of a row (softmax
//     ignores it), and output = p · (h Wvᵀ + bv) = (p · h) Wvᵀ + bv, since each row of p sums to 1;
//   about 2·H·x·P·E multiply-adds, far cheaper for the usual few global tokens (classification: x = 1).
// "Projected queries" wins while x·(H - 1) < E; only float rounding differs between the two.
import type { GraphBuilder, Value } from '../builder';
import { MASKED_SCORE } from './sliding-window';
import type { SequenceInfo } from './sequence';
import { applyLinear, type GraphWeights } from './weights';

export interface GlobalAttentionResult {
  /** (B, P, E): the global tokens' attention output at their positions, zeros elsewhere. */
  readonly output: Value;
  /** (B, H, P, x): each global token's distribution over the sequence, as HuggingFace's global_attentions. */
  readonly probs: Value;
}

export function globalAttention(
  b: GraphBuilder,
  weights: GraphWeights,
  prefix: string,
  hidden: Value,
  seq: SequenceInfo,
  dims: { hidden: number; heads: number },
): GlobalAttentionResult {
  const E = dims.hidden;
  const H = dims.heads;
  const dh = E / H;
  const { batch: B, numGlobal: x } = seq;

  const hiddenFlat = b.reshape(hidden, [-1, E]); // (B·P, E)
  const globalHidden = b.gather(hiddenFlat, seq.globalFlatIndex); // (B, x, E)
  const queryGlobal = weights.linear(`${prefix}.query_global`, E, E, 1 / Math.sqrt(dh));
  const query = b.transpose(b.reshapeExact(applyLinear(b, globalHidden, queryGlobal), [B, x, H, dh]), [0, 2, 1, 3]); // (B, H, x, dh)
  const keyGlobal = weights.linear(`${prefix}.key_global`, E, E);
  const valueGlobal = weights.linear(`${prefix}.value_global`, E, E);

  // Padding keys are masked; filler slots of rows with fewer globals get all scores masked, which makes their
  // distribution uniform 1/P as in HuggingFace (modeling_longformer.py#L966-L976).
  const slotValid = b.unsqueeze(seq.globalSlotValid, [1, 3]); // (B, 1, x, 1)
  const keyValid = b.unsqueeze(b.not(seq.isPadding), [1, 2]); // (B, 1, 1, P)
  const allowed = b.and(slotValid, keyValid); // (B, 1, x, P)

  const projectQueries = b.less(b.mul(x, b.constInt64([H - 1])), b.constInt64([E])); // [1] bool
  // The weights are reshaped outside the If: onnxruntime folds constant expressions into initializers, and one folded
  // inside a subgraph makes the optimized graph it saves with external weights (optimized-graph.ts) fail to load
  // ("initializer name is not unique"). Wkᵀ [in, out] is read per head as (H, dh, E), Wvᵀ per head as (H, E, dh).
  const keyByHead = b.transpose(b.reshape(keyGlobal.weightT, [E, H, dh]), [1, 2, 0]); // (E, H, dh) → (H, dh, E)
  const valueByHead = b.transpose(b.reshape(valueGlobal.weightT, [E, H, dh]), [1, 0, 2]); // (E, H, dh) → (H, E, dh)
  const valueBias = b.reshape(valueGlobal.bias, [H, 1, dh]); // (H, 1, dh)
  const [perHead, probs] = b.ifElse(
    projectQueries,
    ['float32', 'float32'],
    (t) => {
      const hiddenT = t.unsqueeze(t.transpose(hidden, [0, 2, 1]), [1]); // (B, 1, E, P)
      const scores = t.matMul(t.matMul(query, keyByHead), hiddenT); // (B, H, x, E) · (B, 1, E, P) → (B, H, x, P)
      const p = t.softmax(t.where(allowed, scores, t.scalarFloat(MASKED_SCORE)), -1); // (B, H, x, P)
      const mixed = t.matMul(p, t.unsqueeze(hidden, [1])); // (B, H, x, E)
      return [t.add(t.matMul(mixed, valueByHead), valueBias), p]; // (B, H, x, dh), (B, H, x, P)
    },
    (e) => {
      const toHeads = (v: Value): Value => e.transpose(e.reshape(v, [0, 0, H, dh]), [0, 2, 1, 3]); // (B, P, H, dh) → (B, H, P, dh)
      const keys = toHeads(applyLinear(e, hidden, keyGlobal)); // (B, H, P, dh)
      const values = toHeads(applyLinear(e, hidden, valueGlobal)); // (B, H, P, dh)
      const scores = e.matMul(query, e.transpose(keys, [0, 1, 3, 2])); // (B, H, x, P)
      const p = e.softmax(e.where(allowed, scores, e.scalarFloat(MASKED_SCORE)), -1); // (B, H, x, P)
      return [e.matMul(p, values), p]; // (B, H, x, dh), (B, H, x, P)
    },
  );
  if (perHead === undefined || probs === undefined) throw new Error('unreachable: If gives two values');

  // Back to token order and onto the positions of the global tokens; other positions read an extra zero row.
  const slotsFlat = b.reshapeExact(b.transpose(perHead, [0, 2, 1, 3]), [b.mul(B, x), E]); // (B, x, H, dh) → (B·x, E)
  const withZeroRow = b.concat([slotsFlat, b.constFloat(new Array<number>(E).fill(0), [1, E])], 0); // (B·x + 1, E)
  const output = b.gather(withZeroRow, seq.globalSlotOfPosition); // (B, P, E)
  return { output, probs: b.transpose(probs, [0, 1, 3, 2]) }; // (B, H, P, x)
}
