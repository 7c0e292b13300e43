// The quadratic baseline of `bench`: the same encoder layers (same weights, projections, FFN, LayerNorms) with
// dense full attention, every token against every token, as BERT/RoBERTa compute it. It stands for "what a model
// without Longformer's window would cost"; its outputs are not Longformer's and are never compared.
// The embeddings are left out (the input is the hidden states): a gather and a LayerNorm, the same for both.
import type { LongformerConfig } from '../checkpoint/config';
import type { StateDict } from '../checkpoint/tensor';
import { GraphBuilder, type Graph, type Value } from '../graph/builder';
import { floatTensor } from '../graph/tensor-data';
import { activation } from '../graph/longformer/activations';
import { applyLinear, GraphWeights } from '../graph/longformer/weights';

export const DENSE_INPUT = 'hidden_states';
export const DENSE_OUTPUT = 'last_hidden_state';

export function buildDenseEncoderGraph(config: LongformerConfig, dict: StateDict): Graph {
  const b = new GraphBuilder('dense-attention-baseline');
  const weights = new GraphWeights(b, dict);
  const E = config.hiddenSize;
  const H = config.numAttentionHeads;
  const dh = E / H;
  const I = config.intermediateSize;
  const eps = config.layerNormEps;
  let hidden: Value = b.input(DENSE_INPUT, 'float32', ['batch', 'sequence', E]);
  for (let layer = 0; layer < config.numHiddenLayers; layer += 1) {
    const prefix = `encoder.layer.${layer}`;
    const self = `${prefix}.attention.self`;
    const qkv = weights.fusedLinear(
      [{ prefix: `${self}.query`, scale: 1 / Math.sqrt(dh) }, { prefix: `${self}.key` }, { prefix: `${self}.value` }],
      E,
      E,
    );
    const [query, key, value] = b.split(applyLinear(b, hidden, qkv), [E, E, E], 2); // 3 × (B, n, E)
    if (query === undefined || key === undefined || value === undefined) throw new Error('unreachable: split into three');
    const toHeads = (t: Value): Value => b.transpose(b.reshape(t, [0, 0, H, dh]), [0, 2, 1, 3]); // (B, n, H, dh) → (B, H, n, dh)
    const scores = b.matMul(toHeads(query), b.transpose(b.reshape(key, [0, 0, H, dh]), [0, 2, 3, 1])); // (B, H, n, n)
    const context = b.matMul(b.softmax(scores, -1), toHeads(value)); // (B, H, n, dh)
    const merged = b.reshape(b.transpose(context, [0, 2, 1, 3]), [0, 0, E]); // (B, n, E)
    const projected = applyLinear(b, merged, weights.linear(`${prefix}.attention.output.dense`, E, E));
    const attended = b.layerNorm(
      b.add(projected, hidden),
      weights.constant(`${prefix}.attention.output.LayerNorm.weight`, [E]),
      weights.constant(`${prefix}.attention.output.LayerNorm.bias`, [E]),
      eps,
    ); // (B, n, E)
    const intermediate = activation(b, applyLinear(b, attended, weights.linear(`${prefix}.intermediate.dense`, E, I)), config.hiddenAct);
    hidden = b.layerNorm(
      b.add(applyLinear(b, intermediate, weights.linear(`${prefix}.output.dense`, I, E)), attended),
      weights.constant(`${prefix}.output.LayerNorm.weight`, [E]),
      weights.constant(`${prefix}.output.LayerNorm.bias`, [E]),
      eps,
    ); // (B, n, E)
  }
  b.output(hidden, DENSE_OUTPUT, 'float32', ['batch', 'sequence', E]);
  return b.build();
}

/** One layer's dense MatMuls (q, k, v, output, FFN in and out) at n tokens, no attention: the MatMul probe. */
export function buildMatMulProbeGraph(config: LongformerConfig, n: number): Graph {
  const E = config.hiddenSize;
  const I = config.intermediateSize;
  const b = new GraphBuilder('matmul-probe');
  const weight = (name: string, rows: number, cols: number): Value => {
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < data.length; i += 1) data[i] = ((i * 7919) % 1000) / 1e5 - 0.005;
    return b.initializer(name, floatTensor([rows, cols], data));
  };
  const x = b.input('x', 'float32', [n, E]);
  // Four E × E projections of the same input, then the FFN pair; summed so that nothing is dead code.
  let sum = b.matMul(x, weight('q', E, E));
  for (const name of ['k', 'v', 'o']) sum = b.add(sum, b.matMul(x, weight(name, E, E)));
  const down = b.matMul(b.matMul(sum, weight('ffn_in', E, I)), weight('ffn_out', I, E));
  b.output(down, 'y', 'float32', [n, E]);
  return b.build();
}
