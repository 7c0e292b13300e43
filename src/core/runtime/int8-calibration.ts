// int8's calibration: before an int8 graph is built, the float32 graph runs once on calibration tokens and gives,
// for each dense layer int8 quantizes, the Gram blocks of that layer's inputs; the int8 graph then rounds each layer's
// weights so that its outputs on such inputs move least (graph/int8/error-feedback-rounding.ts). The calibration
// tokens are a fixed pseudo-random walk over the vocabulary: they need no text or tokenizer, work for every
// checkpoint, and make the same graph on every build (the cache key holds). The run takes a few seconds once per
// model; the int8 graph is cached like any other.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tensor } from 'onnxruntime-common';
import type { LongformerConfig } from '../checkpoint/config';
import { maxInputLength } from '../checkpoint/model-rules';
import type { StateDict } from '../checkpoint/tensor';
import { throwIfCancelled } from '../errors';
import { ExternalDataFile } from '../graph/external-data-file';
import { LOGIT_POSITIONS_INPUT } from '../graph/longformer/heads';
import { buildLongformerGraph } from '../graph/longformer/model';
import { gramOutputName, INT8_SCHEME, type Int8Calibration, type Int8Scheme } from '../graph/longformer/weights';
import { serializeModel } from '../graph/serialize';
import { MODEL_FILE, WEIGHTS_FILE } from './cache-files';
import { nativeRuntimeUnavailable, WASM_PROVIDER } from './ort-runtime';
import { createSession } from './providers';

/** Calibration tokens: 1,024, or the model's limit when it takes fewer. */
export const CALIBRATION_TOKENS = 1024;

/**
 * The calibration input's token ids: `bos`, then a linear congruential walk over the ordinary ids (above the
 * special ones, skipping the pad id), then `eos`.
 */
export function calibrationTokenIds(config: LongformerConfig, length: number): BigInt64Array {
  const specials = Math.max(config.bosTokenId, config.padTokenId, config.eosTokenId, config.sepTokenId) + 1;
  const ordinary = Math.max(1, config.vocabSize - specials);
  const ids = new BigInt64Array(length);
  let state = 20_201_202;
  for (let i = 0; i < length; i += 1) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    ids[i] = BigInt(Math.min(config.vocabSize - 1, specials + (state % ordinary)));
  }
  ids[0] = BigInt(config.bosTokenId);
  ids[length - 1] = BigInt(config.eosTokenId);
  return ids;
}

/**
 * Runs the calibration graph of `config` and `weights` on the calibration input (`<s>` global, as documents run),
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
  const gramOutputs = graph.outputs.map((output) => output.name).filter((name) => name.startsWith(gramOutputName('')));
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
    const session = await createSession(modelPath, provider, { runsOnce: true });
    try {
      const length = Math.min(CALIBRATION_TOKENS, maxInputLength(config));
      const dims = [1, length];
      const global = new BigInt64Array(length);
      global[0] = 1n;
      const feeds: Record<string, Tensor> = {
        input_ids: new Tensor('int64', calibrationTokenIds(config, length), dims),
        attention_mask: new Tensor('int64', new BigInt64Array(length).fill(1n), dims),
        global_attention_mask: new Tensor('int64', global, dims),
      };
      if (graph.inputs.some((input) => input.name === LOGIT_POSITIONS_INPUT)) {
        feeds[LOGIT_POSITIONS_INPUT] = new Tensor('int64', new BigInt64Array(1), [1]);
      }
      const results = await session.run(feeds, gramOutputs);
      const calibration = new Map<string, Float32Array>();
      for (const name of gramOutputs) calibration.set(name.slice(gramOutputName('').length), results[name]?.data as Float32Array);
      return calibration;
    } finally {
      await session.release();
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
