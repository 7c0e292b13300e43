// The graph builder and its serialization: graphs are built with value handles, serialized to ModelProto bytes,
// loaded into onnxruntime and run; the results are checked against values computed here by hand.
import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { GraphBuilder, type Value } from '../../../src/core/graph/builder';
import { ExternalDataFile } from '../../../src/core/graph/external-data-file';
import { ModelProtoType } from '../../../src/core/graph/onnx-schema';
import { serializeModel } from '../../../src/core/graph/serialize';
import { floatTensor, int64Tensor, makeTensor } from '../../../src/core/graph/tensor-data';

async function run(b: GraphBuilder, feeds: Record<string, Tensor>): Promise<InferenceSession.ReturnType> {
  const session = await InferenceSession.create(serializeModel(b.build()));
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function floats(value: Tensor | undefined): number[] {
  assert.ok(value !== undefined, 'missing output');
  return Array.from(value.data as Float32Array);
}

describe('graph builder', () => {
  it('runs a MatMul + Add graph with an initializer and symbolic batch dims', async () => {
    const b = new GraphBuilder('linear');
    const x = b.input('x', 'float32', ['batch', 2]);
    const w = b.initializer('w', floatTensor([2, 3], [1, 2, 3, 4, 5, 6]));
    const bias = b.constFloat([0.5, -0.5, 1]);
    b.output(b.add(b.matMul(x, w), bias), 'y', 'float32', ['batch', 3]);
    const out = await run(b, { x: new Tensor('float32', Float32Array.from([1, 1, 2, -1]), [2, 2]) });
    assert.deepEqual(out['y']?.dims, [2, 3]);
    // [1,1]·W = [5,7,9]; [2,-1]·W = [-2,-1,0]
    assert.deepEqual(floats(out['y']), [5.5, 6.5, 10, -1.5, -1.5, 1]);
  });

  it('serializes attributes of every kind it uses (ints, int, float, string) with the right meaning', async () => {
    const b = new GraphBuilder('attrs');
    const x = b.input('x', 'float32', [2, 3]);
    const transposed = b.transpose(x, [1, 0]); // ints
    const soft = b.softmax(b.constFloat([0, 0, 0, 0], [2, 2]), 1); // int
    const normed = b.layerNorm(x, b.constFloat([1, 1, 1]), b.constFloat([0, 0, 0]), 1e-5); // float
    const padded = b.pad(x, b.constInt64([0, 1, 0, 0]), b.scalarFloat(9)); // string mode="constant"
    b.output(transposed, 't', 'float32', [3, 2]);
    b.output(soft, 's', 'float32', [2, 2]);
    b.output(normed, 'n', 'float32', [2, 3]);
    b.output(padded, 'p', 'float32', [2, 4]);
    const out = await run(b, { x: new Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]) });
    assert.deepEqual(floats(out['t']), [1, 4, 2, 5, 3, 6]);
    assert.deepEqual(floats(out['s']), [0.5, 0.5, 0.5, 0.5]);
    const n = floats(out['n']);
    assert.ok(Math.abs((n[0] ?? 0) + Math.sqrt(1.5)) < 1e-4, `layer norm gave ${n[0]}`);
    assert.deepEqual(floats(out['p']), [9, 1, 2, 3, 9, 4, 5, 6]);
  });

  it('handles dims of size 0 (no global tokens) in TopK, Gather, MatMul and exact reshapes', async () => {
    const b = new GraphBuilder('empty');
    const x = b.input('x', 'float32', ['batch', 'n']);
    const k = b.input('k', 'int64', [1]);
    const [, indices] = b.topK(x, k, 1); // (batch, k)
    const picked = b.gather(b.reshape(x, [-1]), indices); // (batch, k)
    const grouped = b.reshapeExact(picked, [b.dim(x, 0), 1, k]); // (batch, 1, k)
    const products = b.matMul(b.transpose(grouped, [0, 2, 1]), grouped); // (batch, k, k)
    b.output(products, 'products', 'float32', ['batch', 'k', 'k']);
    const feeds = (count: number): Record<string, Tensor> => ({
      x: new Tensor('float32', Float32Array.from([3, 1, 2]), [1, 3]),
      k: new Tensor('int64', BigInt64Array.from([BigInt(count)]), [1]),
    });
    const none = await run(b, feeds(0));
    assert.deepEqual(none['products']?.dims, [1, 0, 0]);
    const two = await run(b, feeds(2));
    // The two largest values are 3 (index 0) and 2 (index 2); gathered from the flattened x they are 3 and 2.
    assert.deepEqual(floats(two['products']), [9, 6, 6, 4]);
  });

  it('writes large initializers to an external data file that onnxruntime reads back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lens-graph-'));
    try {
      const b = new GraphBuilder('external');
      const x = b.input('x', 'float32', [1, 512]);
      const weights = Float32Array.from({ length: 512 * 2 }, (_, i) => (i % 2 === 0 ? 1 : i / 1024));
      const w = b.initializer('big', floatTensor([512, 2], weights));
      b.output(b.matMul(x, w), 'y', 'float32', [1, 2]);
      const external = new ExternalDataFile(join(dir, 'weights.bin'));
      const bytes = serializeModel(b.build(), { external, externalThresholdBytes: 1024 });
      external.close();
      // The model message itself holds no weight bytes: only the location entries.
      assert.ok(bytes.byteLength < 2048, `model is ${bytes.byteLength} bytes`);
      const decoded = ModelProtoType.toObject(ModelProtoType.decode(bytes), { longs: Number, enums: Number, bytes: Array }) as {
        graph: { initializer: { name: string; dataLocation?: number; externalData?: { key: string; value: string }[] }[] };
      };
      const big = decoded.graph.initializer.find((t) => t.name === 'big');
      assert.equal(big?.dataLocation, 1);
      assert.deepEqual(
        big?.externalData?.map((e) => e.key),
        ['location', 'offset', 'length'],
      );
      await writeFile(join(dir, 'model.onnx'), bytes);
      assert.equal((await readFile(join(dir, 'weights.bin'))).byteLength, 512 * 2 * 4);

      const session = await InferenceSession.create(join(dir, 'model.onnx'));
      const ones = new Tensor('float32', new Float32Array(512).fill(1), [1, 512]);
      const y = floats((await session.run({ x: ones }))['y']);
      await session.release();
      let odd = 0;
      for (let i = 0; i < 512; i += 1) odd += weights[i * 2 + 1] ?? 0;
      assert.equal(y[0], 512);
      assert.ok(Math.abs((y[1] ?? 0) - odd) < 1e-3, `${y[1]} vs ${odd}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes the model header fields: IR version, opset, producer, metadata, graph input types', () => {
    const b = new GraphBuilder('header', 18);
    const x = b.input('x', 'int64', ['batch', 4]);
    b.output(b.add(x, b.scalarInt64(1)), 'y', 'int64', ['batch', 4]);
    const decoded = ModelProtoType.toObject(ModelProtoType.decode(serializeModel(b.build(), { metadata: { key: 'value' } })), {
      longs: Number,
    }) as {
      irVersion: number;
      producerName: string;
      opsetImport: { domain?: string; version: number }[];
      metadataProps: { key: string; value: string }[];
      graph: {
        input: { name: string; type: { tensorType: { elemType: number; shape: { dim: { dimParam?: string; dimValue?: number }[] } } } }[];
      };
    };
    assert.equal(decoded.irVersion, 8);
    assert.equal(decoded.producerName, 'longformer-lens');
    assert.deepEqual(
      decoded.opsetImport.map((o) => o.version),
      [18],
    );
    assert.deepEqual(decoded.metadataProps, [{ key: 'key', value: 'value' }]);
    const input = decoded.graph.input[0];
    assert.equal(input?.name, 'x');
    assert.equal(input?.type.tensorType.elemType, 7);
    assert.deepEqual(input?.type.tensorType.shape.dim, [{ dimParam: 'batch' }, { dimValue: 4 }]);
  });

  it('runs If with subgraph branches that read values and weights of the main graph', async () => {
    const b = new GraphBuilder('branches');
    const x = b.input('x', 'float32', [2]);
    const flag = b.input('flag', 'bool', [1]);
    const weight = b.initializer('weight', floatTensor([2], [10, 20]));
    const [result] = b.ifElse(
      flag,
      ['float32'],
      (then) => [then.mul(x, weight)],
      (otherwise) => [otherwise.concat([x, otherwise.constFloat([7])], 0)], // another shape in this branch
    );
    assert.ok(result !== undefined);
    b.output(result, 'y', 'float32');
    const session = await InferenceSession.create(serializeModel(b.build()));
    const feeds = (value: boolean): Record<string, Tensor> => ({
      x: new Tensor('float32', Float32Array.from([1, 2]), [2]),
      flag: new Tensor('bool', Uint8Array.from([value ? 1 : 0]), [1]),
    });
    assert.deepEqual(floats((await session.run(feeds(true)))['y']), [10, 40]);
    assert.deepEqual(floats((await session.run(feeds(false)))['y']), [1, 2, 7]);
    await session.release();
  });

  it('shares small constants and keeps generated names unique inside scopes', () => {
    const b = new GraphBuilder('names');
    const one = b.scalarInt64(1);
    assert.equal(b.scalarInt64(1).name, one.name);
    assert.notEqual(b.scalarFloat(1).name, one.name);
    const x = b.input('x', 'float32', [2]);
    const names = b.scoped('layer.0', () => [b.add(x, x), b.add(x, x)].map((v: Value) => v.name));
    assert.equal(new Set(names).size, 2);
    assert.ok(names.every((name) => name.startsWith('layer.0/')));
    assert.throws(() => b.input('x', 'float32', [2]), /already used/);
  });
});

describe('graph tensors', () => {
  it('checks the byte size against the dims when a tensor is made', () => {
    assert.throws(() => makeTensor('float32', [2, 3], new Float32Array(5)), /needs 24 bytes, the data has 20/);
    assert.throws(() => makeTensor('int64', [2], new Float32Array(4)), /needs a BigInt64Array/);
    assert.throws(() => makeTensor('float32', [-1], new Float32Array(0)), /non-negative integers/);
    assert.deepEqual(int64Tensor([2], [1, 2]).data, BigInt64Array.from([1n, 2n]));
    assert.equal(makeTensor('bool', [0, 4], new Uint8Array(0)).dims.length, 2);
  });
});
