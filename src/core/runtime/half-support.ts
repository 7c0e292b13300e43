// Whether a GPU provider runs float16 MatMuls here. WebGPU needs the adapter's shader-f16 feature, and onnxruntime
// only finds out when a run compiles an fp16 shader ("requires f16 but the device does not support it"), so a
// one-MatMul float16 model is run once per process and provider. CUDA, DirectML and CoreML multiply in fp16 on any
// device they start on (not exercised on the build machines, which have no such GPU).
import { InferenceSession, Tensor } from 'onnxruntime-common';
import { GraphBuilder } from '../graph/builder';
import { float16Bits } from '../graph/float16';
import { serializeModel } from '../graph/serialize';
import { makeTensor } from '../graph/tensor-data';
import { sessionOptions } from './providers';

const verdicts = new Map<string, Promise<string | undefined>>();

/** Why `provider` cannot run the fp16 graph here, or undefined when it can. */
export function halfPrecisionUnsupported(provider: string): Promise<string | undefined> {
  if (provider === 'cpu' || provider === 'wasm') return Promise.resolve('fp16 runs on GPU providers only');
  if (provider !== 'webgpu') return Promise.resolve(undefined);
  let verdict = verdicts.get(provider);
  if (verdict === undefined) {
    verdict = probe(provider);
    verdicts.set(provider, verdict);
  }
  return verdict;
}

async function probe(provider: string): Promise<string | undefined> {
  const b = new GraphBuilder('fp16-probe');
  const x = b.input('x', 'float32', [2, 2]);
  const weight = b.initializer('w', makeTensor('float16', [2, 2], float16Bits(Float32Array.from([1, 0, 0, 2]))));
  b.output(b.cast(b.matMul(b.cast(x, 'float16'), weight), 'float32'), 'y', 'float32', [2, 2]);
  try {
    const session = await InferenceSession.create(serializeModel(b.build()), sessionOptions(provider, {}));
    try {
      const result = await session.run({ x: new Tensor('float32', Float32Array.from([1, 2, 3, 4]), [2, 2]) });
      const y = result['y']?.data;
      const expected = [1, 4, 3, 8];
      if (!(y instanceof Float32Array) || expected.some((value, i) => y[i] !== value))
        return `the ${provider} adapter computed a float16 MatMul wrongly`;
      return undefined;
    } finally {
      await session.release();
    }
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return `the ${provider} adapter has no float16 support (shader-f16): ${(text.split('\n')[0] ?? text).slice(0, 200)}`;
  }
}
