// The fp16 variant of a graph: every MatMul multiplies in half precision and the large embedding tables are stored in
// it, while everything else (softmax, layer norm, GELU, residual adds, masks) stays float32, so sums over the
// sequence and normalizations accumulate in float32. Weight initializers a MatMul or an embedding Gather reads are
// stored as float16 (half the weight memory and bandwidth); activations are cast to float16 right before a MatMul
// and its product is cast back right after. A rewrite of the finished graph rather than a second model builder: the
// model code stays one float32 description, and the rule "matmuls in fp16" is applied in one place.
import { attr, type AttributeValue, type Graph, type GraphNode } from './builder';
import { float16Bits } from './float16';
import { makeTensor, type GraphTensor } from './tensor-data';

/**
 * Activations are clipped to ±HALF_SAFE before the cast: masks ride in MatMul operands as -1e9 (sliding-window.ts),
 * which float16 (largest finite 65504) would turn into -inf, and an all-masked row would then give NaN instead of
 * HuggingFace's uniform row. ±30000 still underflows exp() to 0 next to any real score, and leaves room for the
 * MatMul's sum not to overflow.
 */
export const HALF_SAFE = 30000;

/**
 * The stated parity of an fp16 graph: the largest |fp16 - HuggingFace float32| allowed per output on the fixture
 * models (weights with standard deviation 0.2), about 3x the error measured on Mesa's software Vulkan driver
 * (test/webgpu/fp16.test.ts tests the engine on WebGPU, test/integration/export.test.ts an fp16 export in plain
 * onnxruntime). float16 keeps 11 significant bits (relative step 2^-11 ≈ 4.9e-4); the errors of two layers of rounded
 * products add up in the hidden states, less in the probabilities, which softmax keeps within [0, 1].
 */
export const FP16_TOLERANCE: Readonly<Record<string, number>> = {
  last_hidden_state: 3e-2, // measured 8.7e-3
  pooler_output: 2.5e-2, // measured 7.6e-3
  logits: 3e-2, // measured 3.6e-3
  start_logits: 3e-2, // measured 8.3e-3
  end_logits: 3e-2, // measured 8.8e-3
  attentions: 1e-2, // measured 3.5e-3
  global_attentions: 1e-2, // measured 3.3e-3
};

const CAST_TO = { float16: 10, float32: 1 } as const;

export function toHalfPrecision(graph: Graph): Graph {
  const initializers = new Map(graph.initializers);
  // Clip's bounds are float32 scalars: it clips the float32 activation before the cast.
  const low = 'fp16/clip_low';
  const high = 'fp16/clip_high';
  initializers.set(low, makeTensor('float32', [], Float32Array.from([-HALF_SAFE])));
  initializers.set(high, makeTensor('float32', [], Float32Array.from([HALF_SAFE])));
  const halfNames = new Map<string, string>();
  let counter = 0;
  const fresh = (base: string): string => `${base}/fp16.${counter++}`;

  /** The float16 copy of a float32 initializer (one per initializer, shared by every reader). */
  const halfInitializer = (name: string, tensor: GraphTensor): string => {
    const known = halfNames.get(name);
    if (known !== undefined) return known;
    const halfName = `${name}.fp16`;
    initializers.set(halfName, makeTensor('float16', tensor.dims, float16Bits(tensor.data as Float32Array)));
    halfNames.set(name, halfName);
    return halfName;
  };
  const castNode = (input: string, output: string, to: keyof typeof CAST_TO): GraphNode => ({
    opType: 'Cast',
    name: `${fresh(output)}/cast`,
    inputs: [input],
    outputs: [output],
    attributes: new Map([['to', attr.int(CAST_TO[to])]]),
  });
  const floatInitializer = (name: string): GraphTensor | undefined => {
    const tensor = initializers.get(name);
    return tensor?.dtype === 'float32' ? tensor : undefined;
  };

  const rewrite = (g: Graph): Graph => {
    const nodes: GraphNode[] = [];
    for (const node of g.nodes) {
      if (node.opType === 'MatMul') {
        const inputs = node.inputs.map((input) => {
          const weight = floatInitializer(input);
          if (weight !== undefined) return halfInitializer(input, weight);
          const clipped = fresh(`${input}/clip`);
          nodes.push({
            opType: 'Clip',
            name: `${clipped}/node`,
            inputs: [input, low, high],
            outputs: [clipped],
            attributes: new Map(),
          });
          const half = fresh(input);
          nodes.push(castNode(clipped, half, 'float16'));
          return half;
        });
        const product = fresh(node.outputs[0] ?? 'matmul');
        nodes.push({ ...node, inputs, outputs: [product] });
        nodes.push(castNode(product, node.outputs[0] ?? '', 'float32'));
        continue;
      }
      const table = node.opType === 'Gather' ? floatInitializer(node.inputs[0] ?? '') : undefined;
      if (table !== undefined && table.dims.length === 2) {
        const rows = fresh(node.outputs[0] ?? 'gather');
        nodes.push({ ...node, inputs: [halfInitializer(node.inputs[0] ?? '', table), ...node.inputs.slice(1)], outputs: [rows] });
        nodes.push(castNode(rows, node.outputs[0] ?? '', 'float32'));
        continue;
      }
      nodes.push(node.attributes.size === 0 ? node : { ...node, attributes: rewriteSubgraphs(node.attributes) });
    }
    return { ...g, nodes };
  };
  const rewriteSubgraphs = (attributes: ReadonlyMap<string, AttributeValue>): Map<string, AttributeValue> =>
    new Map(
      [...attributes].map(([key, value]): [string, AttributeValue] => [
        key,
        value.kind === 'graph' ? { kind: 'graph', value: rewrite(value.value) } : value,
      ]),
    );

  const rewritten = rewrite(graph);
  // A weight that other nodes read as float32 too (the global attention's projected-queries branch reshapes key_global
  // and value_global) is widened from its float16 copy at the start of the run, so only the float16 copy is stored.
  const widened = new Map<string, string>();
  for (const [name, halfName] of halfNames) widened.set(name, `${halfName}/widened`);
  const rename = (g: Graph): Graph => ({
    ...g,
    nodes: g.nodes.map((node) => ({
      ...node,
      inputs: node.inputs.map((input) => widened.get(input) ?? input),
      attributes: new Map(
        [...node.attributes].map(([key, value]): [string, AttributeValue] => [
          key,
          value.kind === 'graph' ? { kind: 'graph', value: rename(value.value) } : value,
        ]),
      ),
    })),
  });
  const renamed = rename(rewritten);
  const used = new Set<string>();
  const collect = (g: Graph): void => {
    for (const node of g.nodes) {
      for (const input of node.inputs) used.add(input);
      for (const value of node.attributes.values()) if (value.kind === 'graph') collect(value.value);
    }
  };
  collect(renamed);
  const widenNodes: GraphNode[] = [];
  for (const [name, halfName] of halfNames) {
    initializers.delete(name);
    const wide = widened.get(name) ?? '';
    if (used.has(wide)) widenNodes.push(castNode(halfName, wide, 'float32'));
  }
  const result: Graph = { ...renamed, nodes: [...widenNodes, ...renamed.nodes] };
  return { ...result, initializers };
}
