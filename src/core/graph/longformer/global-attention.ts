// The rows of global tokens: they attend to the whole (padded) sequence with their own projections query_global,
// key_global and value_global, and their result replaces the local one
// (`_compute_global_attn_output_from_hidden`, modeling_longformer.py#L929-L1021). Cost: globals × sequence.
//
// Instead of projecting every token with key_global and value_global (two hidden × hidden products per token, paid
// even without any global token), the projections are moved to the x global rows:
//   scores = qg · (h Wkᵀ + bk)ᵀ = (qg Wk) · hᵀ + qg·bk, and qg·bk is the same for every key of a row, which softmax
//   ignores;  output = p · (h Wvᵀ + bv) = (p · h) Wvᵀ + bv, since each row of p sums to 1.
// Both are exact identities; only float rounding differs.
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

  // key_global.weight [E_out, E_in] read as (H, dh, E): each head's rows.
  const keyWeightByHead = weights.derived(`${prefix}.key_global.weight_by_head`, [H, dh, E], weights.tensor(`${prefix}.key_global.weight`, [E, E]).data);
  weights.tensor(`${prefix}.key_global.bias`, [E]); // present, but softmax-invariant (see above)
  const queryInHidden = b.matMul(query, keyWeightByHead); // (B, H, x, E)
  const hiddenT = b.unsqueeze(b.transpose(hidden, [0, 2, 1]), [1]); // (B, 1, E, P)
  const scores = b.matMul(queryInHidden, hiddenT); // (B, H, x, P)

  // Padding keys are masked; filler slots of rows with fewer globals get all scores masked, which makes their
  // distribution uniform 1/P as in HuggingFace (modeling_longformer.py#L966-L976).
  const slotValid = b.unsqueeze(seq.globalSlotValid, [1, 3]); // (B, 1, x, 1)
  const keyValid = b.unsqueeze(b.not(seq.isPadding), [1, 2]); // (B, 1, 1, P)
  const probs = b.softmax(b.where(b.and(slotValid, keyValid), scores, b.scalarFloat(MASKED_SCORE)), -1); // (B, H, x, P)

  const mixedHidden = b.matMul(probs, b.unsqueeze(hidden, [1])); // (B, H, x, E)
  const valueWeight = weights.tensor(`${prefix}.value_global.weight`, [E, E]).data;
  const valueWeightTByHead = new Float32Array(H * E * dh); // (H, E, dh): [h, e, j] = W[h·dh + j, e]
  for (let h = 0; h < H; h += 1) {
    for (let e = 0; e < E; e += 1) {
      for (let j = 0; j < dh; j += 1) valueWeightTByHead[(h * E + e) * dh + j] = valueWeight[(h * dh + j) * E + e] ?? 0;
    }
  }
  const valueBias = weights.derived(`${prefix}.value_global.bias_by_head`, [H, 1, dh], weights.tensor(`${prefix}.value_global.bias`, [E]).data);
  const perHead = b.add(b.matMul(mixedHidden, weights.derived(`${prefix}.value_global.weight_t_by_head`, [H, E, dh], valueWeightTByHead)), valueBias); // (B, H, x, dh)

  // Back to token order and onto the positions of the global tokens; other positions read an extra zero row.
  const slotsFlat = b.reshapeExact(b.transpose(perHead, [0, 2, 1, 3]), [b.mul(B, x), E]); // (B·x, E)
  const withZeroRow = b.concat([slotsFlat, b.constFloat(new Array<number>(E).fill(0), [1, E])], 0); // (B·x + 1, E)
  const output = b.gather(withZeroRow, seq.globalSlotOfPosition); // (B, P, E)
  return { output, probs: b.transpose(probs, [0, 1, 3, 2]) };
}
