// int8's calibration: before an int8 graph is built, the float32 graph runs once on calibration tokens and gives,
// for each dense layer int8 quantizes, the Gram blocks of that layer's inputs; the int8 graph then rounds each layer's
// weights so that its outputs on such inputs move least (graph/int8/error-feedback-rounding.ts). The calibration
// inputs are bench's (core/bench/work.ts, benchInputs): fixed pseudo-random walks over the vocabulary, `<s>` global.
// They need no text or tokenizer, work for every checkpoint, and make the same graph on every build (the cache key
// holds). One walk is not enough: the rounding's benefit varied with it (on the 12-layer synthetic classifier the
// weights' error was 0.23-0.65 % after calibrating on one of three walks, 1.11-1.42 % on a fourth, and 0.48-0.65 %
// on all four together, bench/README.md), so the Gram blocks are summed over CALIBRATION_SEEDS. The runs take
// seconds once per model; the int8 graph is cached like any other.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tensor } from 'onnxruntime-common';
import type { LongformerConfig } from '../checkpoint/config';
import { maxInputLength } from '../checkpoint/model-rules';
import type { StateDict } from '../checkpoint/tensor';
import { benchInputs } from '../bench/work';
import { throwIfCancelled } from '../errors';
import { ExternalDataFile } from '../graph/external-data-file';
import { LOGIT_POSITIONS_INPUT } from '../graph/longformer/heads';
import { buildLongformerGraph } from '../graph/longformer/model';
import { GRAM_OUTPUT_PREFIX, INT8_SCHEME, type Int8Calibration, type Int8Scheme } from '../graph/longformer/weights';
import { serializeModel } from '../graph/serialize';
import { MODEL_FILE, WEIGHTS_FILE } from './cache-files';
import { nativeRuntimeUnavailable, WASM_PROVIDER } from './ort-runtime';
import { createSession } from './providers';

/** Tokens per calibration input: 1,024, or the model's limit when it takes fewer. */
export const CALIBRATION_TOKENS = 1024;

/** The walks the calibration runs, one input each (the first is bench's own). */
export const CALIBRATION_SEEDS = [12345, 5001, 42, 20_201_202] as const;

/**
 * Runs the calibration graph of `config` and `weights` on the calibration inputs (`<s>` global, as documents run),
 * in `workDir` (created and removed here), and returns each quantized layer's Gram blocks by layer name.
 */
export async function calibrateInt8(
  config: LongformerConfig,
  weights: StateDict,
  workDir: string,
  options: { readonly scheme?: Int8Scheme; readonly signal?: AbortSignal } = {},
): Promise<Int8Calibration> {
  const { scheme = INT8_SCHEME, signal } = options;
  const graph = buildLongformerGraph(config, weights, {
    attentions: 'none',
    precision: 'fp32',
    int8: scheme,
    gramOutputs: true,
    logits: 'at-positions',
  });
  const gramOutputs = graph.outputs.map((output) => output.name).filter((name) => name.startsWith(GRAM_OUTPUT_PREFIX));
  await mkdir(workDir, { recursive: true });
  try {
    const modelPath = join(workDir, MODEL_FILE);
    const external = new ExternalDataFile(join(workDir, WEIGHTS_FILE));
    let model: Uint8Array;
    try {
      model = serializeModel(graph, { external });
    } finally {
      external.close();
    }
    await writeFile(modelPath, model);
    throwIfCancelled(signal);
    const provider = nativeRuntimeUnavailable() === undefined ? 'cpu' : WASM_PROVIDER;
    const session = await createSession(modelPath, provider, { shortLived: true });
    try {
      const calibration = new Map<string, Float32Array>();
      const logitPositions = graph.inputs.some((input) => input.name === LOGIT_POSITIONS_INPUT);
      for (const seed of CALIBRATION_SEEDS) {
        throwIfCancelled(signal);
        const input = benchInputs(config, Math.min(CALIBRATION_TOKENS, maxInputLength(config)), seed);
        const dims = [1, input.seqLen];
        const feeds: Record<string, Tensor> = {
          input_ids: new Tensor('int64', input.inputIds, dims),
          attention_mask: new Tensor('int64', input.attentionMask, dims),
          global_attention_mask: new Tensor('int64', input.globalAttentionMask, dims),
        };
        if (logitPositions) feeds[LOGIT_POSITIONS_INPUT] = new Tensor('int64', new BigInt64Array(1), [1]);
        const results = await session.run(feeds, gramOutputs);
        for (const name of gramOutputs) {
          const blocks = results[name]?.data as Float32Array;
          const layer = name.slice(GRAM_OUTPUT_PREFIX.length);
          const sum = calibration.get(layer);
          if (sum === undefined) calibration.set(layer, Float32Array.from(blocks));
          else for (let i = 0; i < sum.length; i += 1) sum[i] = (sum[i] ?? 0) + (blocks[i] ?? 0);
        }
      }
      return calibration;
    } finally {
      await session.release();
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
