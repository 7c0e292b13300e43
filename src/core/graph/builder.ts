// A small ONNX graph builder. Ops return value handles (`b.matMul(x, w)` gives the product's handle); the builder
// records nodes, initializers, graph inputs/outputs and the opset. Turning the recorded graph into a ModelProto is a
// separate step (serialize.ts), so graphs can be inspected and tested without protobuf.
import { floatTensor, int64Tensor, makeTensor, type GraphDType, type GraphTensor } from './tensor-data';

/** The default ONNX opset: 17 is the first with LayerNormalization. */
export const DEFAULT_OPSET = 17;

/** A value in the graph: a graph input, an initializer or a node output. Only its name travels to ONNX. */
export class Value {
  constructor(readonly name: string) {}
}

export type AttributeValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'tensor'; readonly value: GraphTensor }
  | { readonly kind: 'graph'; readonly value: Graph };

export interface GraphNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, AttributeValue>;
  /** The operator set of a non-standard operator ("com.microsoft" for onnxruntime's contrib ops); absent: ONNX's. */
  readonly domain?: string;
}

/** A graph input or output: its element type and dims (a string dim is symbolic, e.g. "batch"; absent: unknown rank). */
export interface GraphIO {
  readonly name: string;
  readonly dtype: GraphDType;
  readonly dims?: readonly (number | string)[];
}

export interface Graph {
  readonly name: string;
  readonly opset: number;
  readonly inputs: readonly GraphIO[];
  readonly outputs: readonly GraphIO[];
  readonly nodes: readonly GraphNode[];
  readonly initializers: ReadonlyMap<string, GraphTensor>;
  /** Operator sets besides ONNX's that the nodes use (domain → version). */
  readonly domains?: ReadonlyMap<string, number>;
}

type Attrs = Readonly<Record<string, AttributeValue>>;

export const attr = {
  int: (value: number): AttributeValue => ({ kind: 'int', value }),
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
  ints: (value: readonly number[]): AttributeValue => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): AttributeValue => ({ kind: 'floats', value }),
};

/** What a graph and its subgraphs (If branches) share: names, initializers, constants, scopes. */
interface SharedState {
  readonly usedNames: Set<string>;
  readonly scopes: string[];
  readonly constantCache: Map<string, Value>;
  readonly initializers: Map<string, GraphTensor>;
  readonly domains: Map<string, number>;
}

export class GraphBuilder {
  private readonly nodes: GraphNode[] = [];
  private readonly inputs: GraphIO[] = [];
  private readonly outputs: GraphIO[] = [];
  private readonly shared: SharedState;

  constructor(
    readonly name: string,
    readonly opset: number = DEFAULT_OPSET,
    shared?: SharedState,
  ) {
    this.shared = shared ?? { usedNames: new Set(), scopes: [], constantCache: new Map(), initializers: new Map(), domains: new Map() };
  }

  // ---- bookkeeping -------------------------------------------------------------------------------------------

  /** Runs `body` with `scope` prefixed to every name it creates ("layer.0/attention/..."), for readable graphs. */
  scoped<T>(scope: string, body: () => T): T {
    this.shared.scopes.push(scope);
    try {
      return body();
    } finally {
      this.shared.scopes.pop();
    }
  }

  private freshName(hint: string): string {
    const base = [...this.shared.scopes, hint].join('/');
    let candidate = base;
    for (let n = 1; this.shared.usedNames.has(candidate); n += 1) candidate = `${base}_${n}`;
    this.shared.usedNames.add(candidate);
    return candidate;
  }

  private claimName(name: string): string {
    if (this.shared.usedNames.has(name)) throw new Error(`graph value name "${name}" is already used`);
    this.shared.usedNames.add(name);
    return name;
  }

  input(name: string, dtype: GraphDType, dims: readonly (number | string)[]): Value {
    this.inputs.push({ name: this.claimName(name), dtype, dims: [...dims] });
    return new Value(name);
  }

  /** Declares `value` as a graph output called `name` (an Identity node renames it when needed). */
  output(value: Value, name: string, dtype: GraphDType, dims?: readonly (number | string)[]): void {
    let finalName = value.name;
    if (value.name !== name) {
      finalName = this.claimName(name);
      this.nodes.push({ opType: 'Identity', name: `${name}/identity`, inputs: [value.name], outputs: [finalName], attributes: new Map() });
    }
    this.outputs.push(dims === undefined ? { name: finalName, dtype } : { name: finalName, dtype, dims: [...dims] });
  }

  /** A named weight (or any constant) stored as an initializer. */
  initializer(name: string, tensor: GraphTensor): Value {
    const finalName = this.freshName(name);
    this.shared.initializers.set(finalName, tensor);
    return new Value(finalName);
  }

  /** Small constants are shared: the same int64 list or float scalar is one initializer. */
  constInt64(values: readonly number[], dims: readonly number[] = [values.length]): Value {
    const key = `i64:${dims.join('x')}:${values.join(',')}`;
    return this.sharedConstant(key, () => int64Tensor(dims, values));
  }

  constFloat(values: readonly number[], dims: readonly number[] = [values.length]): Value {
    const key = `f32:${dims.join('x')}:${values.join(',')}`;
    return this.sharedConstant(key, () => floatTensor(dims, values));
  }

  scalarInt64(value: number): Value {
    return this.constInt64([value], []);
  }

  scalarFloat(value: number): Value {
    return this.constFloat([value], []);
  }

  constBool(values: readonly boolean[], dims: readonly number[]): Value {
    const key = `bool:${dims.join('x')}:${values.map((v) => (v ? 1 : 0)).join('')}`;
    return this.sharedConstant(key, () =>
      makeTensor(
        'bool',
        dims,
        Uint8Array.from(values, (v) => (v ? 1 : 0)),
      ),
    );
  }

  private sharedConstant(key: string, make: () => GraphTensor): Value {
    const cached = this.shared.constantCache.get(key);
    if (cached !== undefined) return cached;
    const name = this.claimName(`const_${this.shared.constantCache.size}`);
    this.shared.initializers.set(name, make());
    const value = new Value(name);
    this.shared.constantCache.set(key, value);
    return value;
  }

  /** Adds one node; `null` inputs are ONNX's omitted optional inputs. Returns the output handles. */
  node(opType: string, inputs: readonly (Value | null)[], attributes: Attrs = {}, outputCount = 1): Value[] {
    const outputs = Array.from({ length: outputCount }, (_, index) => this.freshName(outputCount === 1 ? opType : `${opType}_${index}`));
    this.nodes.push({
      opType,
      name: `${outputs[0] ?? opType}/node`,
      inputs: inputs.map((input) => (input === null ? '' : input.name)),
      outputs,
      attributes: new Map(Object.entries(attributes)),
    });
    return outputs.map((output) => new Value(output));
  }

  /** One node of onnxruntime's contrib operator set (com.microsoft, version 1). */
  contribNode(opType: string, inputs: readonly (Value | null)[], attributes: Attrs = {}): Value {
    const [output] = this.node(opType, inputs, attributes, 1);
    if (output === undefined) throw new Error('unreachable: a node has one output');
    const node = this.nodes.pop();
    if (node === undefined) throw new Error('unreachable: the node was just added');
    this.nodes.push({ ...node, domain: 'com.microsoft' });
    this.shared.domains.set('com.microsoft', 1);
    return output;
  }

  private one(opType: string, inputs: readonly (Value | null)[], attributes: Attrs = {}): Value {
    const [output] = this.node(opType, inputs, attributes, 1);
    if (output === undefined) throw new Error('unreachable: a node has one output');
    return output;
  }

  /**
   * ONNX If: runs `thenBranch` or `elseBranch` (each building into its own subgraph, free to use any value of this
   * graph) depending on the one-element bool `condition`. Both return values of the element types `dtypes`.
   */
  ifElse(
    condition: Value,
    dtypes: readonly GraphDType[],
    thenBranch: (b: GraphBuilder) => Value[],
    elseBranch: (b: GraphBuilder) => Value[],
  ): Value[] {
    const branch = (label: string, body: (b: GraphBuilder) => Value[]): Graph => {
      const sub = new GraphBuilder(`${this.name}/${label}`, this.opset, this.shared);
      const results = body(sub);
      if (results.length !== dtypes.length)
        throw new Error(`internal: the ${label} branch gave ${results.length} values, expected ${dtypes.length}`);
      // An Identity per result gives each branch output its own name, also for values taken from the outer graph.
      results.forEach((result, index) => {
        const [named] = sub.node('Identity', [result]);
        if (named !== undefined) sub.outputs.push({ name: named.name, dtype: dtypes[index] ?? 'float32' });
      });
      return { ...sub.build(), initializers: new Map() };
    };
    const thenGraph = branch('then', thenBranch);
    const elseGraph = branch('else', elseBranch);
    return this.node(
      'If',
      [condition],
      { then_branch: { kind: 'graph', value: thenGraph }, else_branch: { kind: 'graph', value: elseGraph } },
      dtypes.length,
    );
  }

  build(): Graph {
    return {
      name: this.name,
      opset: this.opset,
      inputs: [...this.inputs],
      outputs: [...this.outputs],
      nodes: [...this.nodes],
      initializers: new Map(this.shared.initializers),
      domains: new Map(this.shared.domains),
    };
  }

  // ---- operators (ONNX opset 17 semantics) -------------------------------------------------------------------

  matMul(a: Value, b: Value): Value {
    return this.one('MatMul', [a, b]);
  }
  add(a: Value, b: Value): Value {
    return this.one('Add', [a, b]);
  }
  sub(a: Value, b: Value): Value {
    return this.one('Sub', [a, b]);
  }
  mul(a: Value, b: Value): Value {
    return this.one('Mul', [a, b]);
  }
  div(a: Value, b: Value): Value {
    return this.one('Div', [a, b]);
  }
  max(a: Value, b: Value): Value {
    return this.one('Max', [a, b]);
  }
  tanh(x: Value): Value {
    return this.one('Tanh', [x]);
  }
  erf(x: Value): Value {
    return this.one('Erf', [x]);
  }
  relu(x: Value): Value {
    return this.one('Relu', [x]);
  }
  pow(x: Value, exponent: Value): Value {
    return this.one('Pow', [x, exponent]);
  }
  equal(a: Value, b: Value): Value {
    return this.one('Equal', [a, b]);
  }
  less(a: Value, b: Value): Value {
    return this.one('Less', [a, b]);
  }
  greater(a: Value, b: Value): Value {
    return this.one('Greater', [a, b]);
  }
  and(a: Value, b: Value): Value {
    return this.one('And', [a, b]);
  }
  or(a: Value, b: Value): Value {
    return this.one('Or', [a, b]);
  }
  not(x: Value): Value {
    return this.one('Not', [x]);
  }
  where(condition: Value, whenTrue: Value, whenFalse: Value): Value {
    return this.one('Where', [condition, whenTrue, whenFalse]);
  }
  cast(x: Value, to: GraphDType): Value {
    const codes: Record<GraphDType, number> = { float32: 1, float16: 10, int32: 6, int8: 3, uint8: 2, int64: 7, bool: 9 };
    return this.one('Cast', [x], { to: attr.int(codes[to]) });
  }
  /** Reshape to `shape` (an int64 1-D value or a constant list; 0 copies the input dim, -1 infers one dim). */
  reshape(x: Value, shape: Value | readonly number[]): Value {
    return this.one('Reshape', [x, shape instanceof Value ? shape : this.constInt64(shape)]);
  }
  /**
   * Reshape to an exact shape in which 0 means an empty dim (ONNX `allowzero`), for tensors whose dims can be 0
   * (no global tokens); plain reshape would read 0 as "copy the input dim".
   */
  reshapeExact(x: Value, parts: readonly (Value | number)[]): Value {
    return this.one('Reshape', [x, this.shapeFrom(parts)], { allowzero: attr.int(1) });
  }
  transpose(x: Value, perm: readonly number[]): Value {
    return this.one('Transpose', [x], { perm: attr.ints(perm) });
  }
  concat(values: readonly Value[], axis: number): Value {
    return this.one('Concat', values, { axis: attr.int(axis) });
  }
  /** Slice along `axes`; starts/ends are constants or int64 1-D values. */
  slice(
    x: Value,
    starts: Value | readonly number[],
    ends: Value | readonly number[],
    axes: readonly number[],
    steps?: readonly number[],
  ): Value {
    const asValue = (v: Value | readonly number[]): Value => (v instanceof Value ? v : this.constInt64(v));
    const inputs = [x, asValue(starts), asValue(ends), this.constInt64(axes)];
    if (steps !== undefined) inputs.push(this.constInt64(steps));
    return this.one('Slice', inputs);
  }
  gather(data: Value, indices: Value, axis = 0): Value {
    return this.one('Gather', [data, indices], { axis: attr.int(axis) });
  }
  unsqueeze(x: Value, axes: readonly number[]): Value {
    return this.one('Unsqueeze', [x, this.constInt64(axes)]);
  }
  squeeze(x: Value, axes: readonly number[]): Value {
    return this.one('Squeeze', [x, this.constInt64(axes)]);
  }
  /** The shape of `x` as int64 1-D, optionally only dims [start, end). */
  shape(x: Value, start?: number, end?: number): Value {
    const attributes: Record<string, AttributeValue> = {};
    if (start !== undefined) attributes['start'] = attr.int(start);
    if (end !== undefined) attributes['end'] = attr.int(end);
    return this.one('Shape', [x], attributes);
  }
  /** One dim of `x` as an int64 1-D tensor of length 1 (handy for building shapes with Concat). */
  dim(x: Value, axis: number): Value {
    return this.shape(x, axis, axis + 1);
  }
  softmax(x: Value, axis = -1): Value {
    return this.one('Softmax', [x], { axis: attr.int(axis) });
  }
  /** Constant-mode Pad; `pads` is int64 [begin_0, ..., begin_n, end_0, ..., end_n]. */
  pad(x: Value, pads: Value, value: Value): Value {
    return this.one('Pad', [x, pads, value], { mode: attr.string('constant') });
  }
  cumSum(x: Value, axis: Value, options: { exclusive?: boolean } = {}): Value {
    return this.one('CumSum', [x, axis], options.exclusive === true ? { exclusive: attr.int(1) } : {});
  }
  /** Largest-k along `axis`, sorted; returns [values, indices]. */
  topK(x: Value, k: Value, axis = -1): [Value, Value] {
    const [values, indices] = this.node('TopK', [x, k], { axis: attr.int(axis), largest: attr.int(1), sorted: attr.int(1) }, 2);
    if (values === undefined || indices === undefined) throw new Error('unreachable: TopK has two outputs');
    return [values, indices];
  }
  reduceSum(x: Value, axes: readonly number[], keepDims: boolean): Value {
    return this.one('ReduceSum', [x, this.constInt64(axes)], { keepdims: attr.int(keepDims ? 1 : 0) });
  }
  /** ReduceMax (opset 17 takes axes as an attribute). */
  reduceMax(x: Value, axes: readonly number[], keepDims: boolean): Value {
    return this.one('ReduceMax', [x], { axes: attr.ints(axes), keepdims: attr.int(keepDims ? 1 : 0) });
  }
  range(start: Value, limit: Value, delta: Value): Value {
    return this.one('Range', [start, limit, delta]);
  }
  expand(x: Value, shape: Value): Value {
    return this.one('Expand', [x, shape]);
  }
  /** Splits `x` along `axis` into pieces of the given sizes. */
  split(x: Value, sizes: readonly number[], axis: number): Value[] {
    return this.node('Split', [x, this.constInt64(sizes)], { axis: attr.int(axis) }, sizes.length);
  }
  /** A 1-D int64 shape from a mix of constants and 1-element int64 values (dims taken from other tensors). */
  shapeFrom(parts: readonly (Value | number)[]): Value {
    if (parts.every((part) => typeof part === 'number')) return this.constInt64(parts);
    return this.concat(
      parts.map((part) => (typeof part === 'number' ? this.constInt64([part]) : part)),
      0,
    );
  }
  layerNorm(x: Value, scale: Value, bias: Value, epsilon: number): Value {
    return this.one('LayerNormalization', [x, scale, bias], { axis: attr.int(-1), epsilon: attr.float(epsilon) });
  }
}
