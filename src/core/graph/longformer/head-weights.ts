// Attention probabilities combined over heads inside the graph, for the variant that serves the attention overlay. A
// run passes one weight per head (one-hot for a single head, 1/heads for the mean) and gets each layer's attentions
// as Σ_h weight_h · attentions[:, h] with a heads axis of 1. The combination is applied right after the softmax, so
// the copies that bring the window probabilities into HuggingFace's layout work on one head instead of all, and no
// per-head tensor is held as a graph output to the end of the run: onnxruntime executes every node whatever the fetch
// list names (microsoft/onnxruntime#16483), so leaving per-head outputs unfetched would not spare them.
// Every step after the softmax (slices, pads, reshapes, a per-row mask) is linear and the same for every head, so
// combining first gives the same numbers, exactly so for one-hot weights (x·1 and x + 0 round to x).
import type { GraphBuilder, Value } from '../builder';

/** Attention probabilities a layer returns: per head, or combined over heads with (H) weights (heads axis 1). */
export interface ProbsRequest {
  readonly headWeights?: Value;
}

/** The float32 input (heads) of the head-weighted variant. */
export const HEAD_WEIGHTS_INPUT = 'attention_head_weights';

/** (...before, H, ...after) → (...before, 1, ...after): Σ_h weights[h] · t[..., h, ...]. */
export function weightHeads(
  b: GraphBuilder,
  t: Value,
  headWeights: Value,
  dims: { readonly before: readonly Value[]; readonly heads: number; readonly after: readonly Value[] },
): Value {
  const product = (parts: readonly Value[]): Value => parts.reduce((acc, part) => b.mul(acc, part), b.constInt64([1]));
  // Dims can be 0 (no global tokens), so the shapes are spelled out (no -1 to infer, allowzero reshapes).
  const flat = b.reshapeExact(t, [product(dims.before), dims.heads, product(dims.after)]); // (Πbefore, H, Πafter)
  const mixed = b.matMul(b.unsqueeze(headWeights, [0]), flat); // (1, H) · (Πbefore, H, Πafter) → (Πbefore, 1, Πafter)
  return b.reshapeExact(mixed, [...dims.before, 1, ...dims.after]); // (...before, 1, ...after)
}
