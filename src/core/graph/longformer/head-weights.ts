// Attention maps combined over heads inside the graph, for the variant that serves the attention overlay. A run
// passes one weight per head (one-hot for a single head, 1/heads for the mean) and gets each layer's attentions as
// Σ_h weight_h · attentions[:, h]: a heads axis of 1, so the per-head tensors (heads × larger) are freed inside the
// layer instead of being held as graph outputs to the end of the run and copied out. onnxruntime executes every node
// whatever the fetch list names (microsoft/onnxruntime#16483), so leaving outputs unfetched would not spare them.
import type { GraphBuilder, Value } from '../builder';

/** The float32 input (heads) of the head-weighted variant. */
export const HEAD_WEIGHTS_INPUT = 'attention_head_weights';

/** (B, H, P, F) probabilities, (H) weights → (B, 1, P, F). Exact for one-hot weights (x·1 and x + 0 round to x). */
export function weightHeads(b: GraphBuilder, probs: Value, headWeights: Value, heads: number): Value {
  const batch = b.dim(probs, 0);
  const rows = b.dim(probs, 2);
  const columns = b.dim(probs, 3);
  // F is 0 for global attentions without global tokens, so the shapes are spelled out (no -1 to infer).
  const flat = b.reshapeExact(probs, [batch, heads, b.mul(rows, columns)]); // (B, H, P·F)
  const mixed = b.matMul(b.unsqueeze(headWeights, [0]), flat); // (1, H) · (B, H, P·F) → (B, 1, P·F)
  return b.reshapeExact(mixed, [batch, 1, rows, columns]); // (B, 1, P, F)
}
