// openEngine: a checkpoint folder becomes a ready Engine. The graph is built once per checkpoint and kept in the
// disk cache (model-cache.ts); sessions are created on the requested provider with fallback to the CPU
// (providers.ts). The variants with attention outputs (per head, or per-token sums) get their sessions only when
// a run first asks for them.
import { Tensor as OrtTensor, type InferenceSession } from 'onnxruntime-common';
import type { HeadKind, LongformerConfig } from '../checkpoint/config';
import { extendedPositionsNote, extendPositionTable, withExtendedPositions } from '../checkpoint/extend-positions';
import { loadCheckpoint, readCheckpointConfig } from '../checkpoint/load';
import type { FloatTensor } from '../checkpoint/tensor';
import { LensError, throwIfCancelled } from '../errors';
import { headOutputNames, LOGIT_POSITIONS_INPUT } from '../graph/longformer/heads';
import { attentionsOutputName, globalAttentionsOutputName } from '../graph/longformer/model';
import { ATTENTION_QUERY_INPUT, TOKEN_SCORE_PARTS, tokenScoresOutputName } from '../graph/longformer/token-scores';
import { resolveAttentionFetch } from './attention-fetch';
import type { Engine, ModelInputs, ModelOutputs, OutputName, RunOptions, TokenScoreTensors } from './engine';
import { defaultCacheDir, ensureCachedModel, findCachedModel, type CachedModel } from './model-cache';
import { mostGlobalTokens, validateModelInputs } from './model-inputs';
import { checkpointFingerprint, lookupSource, recordSource } from './source-index';
import { isPrecision, PRECISIONS, type Precision } from '../precision';
import { halfPrecisionUnsupported } from './half-support';
import { webGpuPassOverReason } from './webgpu-adapter';
import { createSession, createSessionWithFallback, isProviderChoice, type ProviderChoice, type SessionSettings } from './providers';

export interface OpenEngineOptions {
  readonly provider?: ProviderChoice;
  /** Intra-op threads for onnxruntime; its default (one per core) when absent. */
  readonly threads?: number;
  /** Where generated models are cached; `$XDG_CACHE_HOME/longformer-lens` or `~/.cache/longformer-lens` by default. */
  readonly cacheDir?: string;
  /** fp32 (default), fp16 or int8; `OpenedEngine.precision` says which one runs. */
  readonly precision?: Precision;
  /** Copy the learned position embeddings to this many tokens in the built graph (checkpoint/extend-positions.ts). */
  readonly extendPositions?: number;
  /** The head the task needs, used when config.json names no architectures (checkpoint/config.ts AUTO_CLASSES). */
  readonly head?: HeadKind;
  readonly signal?: AbortSignal;
}

export interface OpenedEngine extends Engine {
  /** The execution provider the sessions run on ("cpu", "cuda", ...). */
  readonly provider: string;
  /** Why that differs from the requested provider, when it does. */
  readonly providerNote?: string;
  /** The precision the sessions run in. */
  readonly precision: Precision;
  /** Why that differs from the requested precision, when it does (fp16 on the CPU or without shader-f16, int8 on a GPU). */
  readonly precisionNote?: string;
  /** The outputs this checkpoint's head offers (attentions and global_attentions are always available). */
  readonly availableOutputs: readonly OutputName[];
  /** The cache entry used, and whether it was already on disk (nothing built). */
  readonly cache: CachedModel;
  /** Whether this open read the weight files (false when the folder is unchanged since its graph was built). */
  readonly weightsLoaded: boolean;
  /** Set when the results are an approximation (positions extended past the checkpoint's), in words for the user. */
  readonly approximation?: string;
}

export async function openEngine(modelDir: string, options: OpenEngineOptions = {}): Promise<OpenedEngine> {
  const choice = options.provider ?? 'auto';
  if (!isProviderChoice(choice)) throw new LensError('BAD_ARGUMENT', `Unknown provider "${String(choice)}".`);
  const threads = options.threads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new LensError('BAD_ARGUMENT', `threads must be a positive integer (got ${threads}).`);
  }
  const settings: SessionSettings = threads === undefined ? {} : { threads };
  const precision = options.precision ?? 'fp32';
  if (!isPrecision(precision))
    throw new LensError('BAD_ARGUMENT', `Unknown precision "${String(precision)}"; choose one of ${PRECISIONS.join(', ')}.`);

  const cacheDir = options.cacheDir ?? defaultCacheDir();
  // The first session's graph, for the provider being tried. fp16 settles the provider on the float32 graph first
  // (the fallback chain is the same for both), then moves the session to the fp16 graph where that provider
  // multiplies in float16; elsewhere it runs fp32 and says why. int8 is a CPU precision (its DynamicQuantizeMatMul
  // nodes have CPU kernels only): the CPU opens the int8 graph at once, another provider the float32 one (then it
  // runs fp32 and says why). Each graph is prepared only when a provider needs it, so `auto` on a machine that ends
  // on the CPU neither builds nor opens a float32 graph for int8.
  const firstPrecisionOn = (provider: string): Precision =>
    precision === 'fp16' || (precision === 'int8' && provider !== 'cpu') ? 'fp32' : precision;
  const prepared = new Map<Precision, PreparedGraph>();
  const graphFor = async (first: Precision): Promise<PreparedGraph> => {
    const known = prepared.get(first);
    if (known !== undefined) return known;
    const made = await prepareGraph(modelDir, cacheDir, first, options);
    throwIfCancelled(options.signal);
    prepared.set(first, made);
    return made;
  };
  let opened = await createSessionWithFallback(
    async (provider) => (await graphFor(firstPrecisionOn(provider))).cache.modelPath,
    choice,
    settings,
    (provider) => (provider === 'webgpu' ? webGpuPassOverReason(cacheDir) : Promise.resolve(undefined)),
  );
  let ran: Precision = firstPrecisionOn(opened.provider);
  let graph = await graphFor(ran);
  let precisionNote: string | undefined;
  if (precision === 'fp16') {
    const unsupported = await halfPrecisionUnsupported(opened.provider);
    if (unsupported === undefined) {
      graph = await graphFor('fp16');
      const session = await createSession(graph.cache.modelPath, opened.provider, settings);
      await opened.session.release();
      opened = { ...opened, session };
      ran = 'fp16';
    } else {
      precisionNote = `fp16 not run: ${unsupported}; ran fp32.`;
    }
  }
  if (precision === 'int8' && ran === 'fp32') {
    precisionNote = `int8 not run: int8 runs on the CPU provider only; ran fp32 on ${opened.provider}.`;
  }
  // The engine says whether this start loaded weights: for any graph prepared, the one that runs, the float32 one the
  // provider was settled on before fp16, or one for a provider that failed.
  if ([...prepared.values()].some((made) => made.weightsLoaded)) graph = { ...graph, weightsLoaded: true };
  const { config, hasPooler, cache, weightsLoaded, approximation } = graph;
  return new OnnxEngine(
    config,
    opened.session,
    opened.provider,
    { provider: opened.note, precision: precisionNote },
    ran,
    headOutputNames(config.head, hasPooler),
    cache,
    weightsLoaded,
    settings,
    approximation,
  );
}

/** A checkpoint's cached graph for one precision, with what the engine reports about it. */
interface PreparedGraph {
  readonly config: LongformerConfig;
  readonly hasPooler: boolean;
  readonly cache: CachedModel;
  /** True when this start loaded the weights (no cached graph for the folder's files). */
  readonly weightsLoaded: boolean;
  readonly approximation?: string;
}

/**
 * The cached graph for a checkpoint folder. When the folder's files are unchanged since a graph was built from them
 * (source-index.ts), only config.json is read; otherwise the weights are loaded, checked, hashed and built.
 */
async function prepareGraph(
  modelDir: string,
  cacheDir: string,
  precision: Precision,
  options: Pick<OpenEngineOptions, 'extendPositions' | 'head' | 'signal'>,
): Promise<PreparedGraph> {
  const { extendPositions, head, signal } = options;
  // An extended graph is another graph of the same folder: its own source record and (through the config and the
  // position table in the key) its own cache entry, one per N. So is each task's head of a config without
  // architectures (the config is read first: it is cheap).
  const taskHead = (await readCheckpointConfig(modelDir, head)).autoClass === undefined ? undefined : head;
  const base = await checkpointFingerprint(modelDir, precision).catch(() => undefined);
  const suffix = `${extendPositions === undefined ? '' : `-positions-${extendPositions}`}${taskHead === undefined ? '' : `-head-${taskHead}`}`;
  const fingerprint = base === undefined ? base : `${base}${suffix}`;
  const extended = (config: LongformerConfig): { config: LongformerConfig; approximation?: string } =>
    extendPositions === undefined
      ? { config }
      : { config: withExtendedPositions(config, extendPositions), approximation: extendedPositionsNote(config, extendPositions) };
  const known = fingerprint === undefined ? undefined : await lookupSource(cacheDir, fingerprint);
  const cached = known === undefined ? undefined : findCachedModel(cacheDir, known.key);
  if (known !== undefined && cached !== undefined) {
    return { ...extended(await readCheckpointConfig(modelDir, head)), hasPooler: known.hasPooler, cache: cached, weightsLoaded: false };
  }
  const checkpoint = await loadCheckpoint(modelDir, {
    ...(signal === undefined ? {} : { signal }),
    ...(head === undefined ? {} : { head }),
  });
  throwIfCancelled(signal);
  const graphConfig = extended(checkpoint.config);
  const weights =
    extendPositions === undefined ? checkpoint.weights : extendPositionTable(checkpoint.config, checkpoint.weights, extendPositions);
  const hasPooler = weights.has('pooler.dense.weight');
  const cache = await ensureCachedModel(graphConfig.config, weights, cacheDir, precision, signal);
  if (fingerprint !== undefined) await recordSource(cacheDir, fingerprint, { key: cache.key, hasPooler });
  return { ...graphConfig, hasPooler, cache, weightsLoaded: true };
}

class OnnxEngine implements OpenedEngine {
  private attentionsSession: Promise<InferenceSession> | undefined;
  private tokenScoresSession: Promise<InferenceSession> | undefined;
  readonly providerNote?: string;
  readonly approximation?: string;
  readonly precisionNote?: string;
  readonly availableOutputs: readonly OutputName[];

  constructor(
    readonly config: LongformerConfig,
    private readonly session: InferenceSession,
    readonly provider: string,
    notes: { provider: string | undefined; precision: string | undefined },
    readonly precision: Precision,
    headOutputs: readonly OutputName[],
    readonly cache: CachedModel,
    readonly weightsLoaded: boolean,
    private readonly settings: SessionSettings,
    approximation: string | undefined,
  ) {
    if (approximation !== undefined) this.approximation = approximation;
    this.availableOutputs = [...headOutputs, 'attentions', 'global_attentions'];
    if (notes.provider !== undefined) this.providerNote = notes.provider;
    if (notes.precision !== undefined) this.precisionNote = notes.precision;
  }

  async run(inputs: ModelInputs, outputs: readonly OutputName[], options: RunOptions = {}): Promise<ModelOutputs> {
    for (const name of outputs) {
      if (!this.availableOutputs.includes(name)) {
        throw new LensError(
          'WRONG_HEAD',
          `This ${this.config.architecture} has no output "${name}"; it offers ${this.availableOutputs.join(', ')}.`,
        );
      }
    }
    validateModelInputs(this.config, inputs);
    const { layers } = resolveAttentionFetch(this.config, options.attentions);
    const wantsAttentions = outputs.includes('attentions') || outputs.includes('global_attentions');
    const scoresQuery = options.tokenScores?.query;
    if (scoresQuery !== undefined) {
      if (wantsAttentions) throw new LensError('BAD_ARGUMENT', 'a run gives either attentions or token scores, not both.');
      if (!Number.isInteger(scoresQuery) || scoresQuery < 0 || scoresQuery >= inputs.seqLen) {
        throw new LensError('BAD_ARGUMENT', `attention query position ${scoresQuery} is outside the ${inputs.seqLen}-token input.`);
      }
    }
    const session =
      scoresQuery !== undefined ? await this.sessionWithTokenScores() : wantsAttentions ? await this.sessionWithAttentions() : this.session;
    const plain = outputs.filter((name) => name !== 'attentions' && name !== 'global_attentions');
    const allLayers = Array.from({ length: this.config.numHiddenLayers }, (_, layer) => layer);
    const fetches = [
      ...plain,
      ...(outputs.includes('attentions') ? layers.map(attentionsOutputName) : []),
      ...(outputs.includes('global_attentions') ? layers.map(globalAttentionsOutputName) : []),
      ...(scoresQuery === undefined
        ? []
        : allLayers.flatMap((layer) => TOKEN_SCORE_PARTS.map((part) => tokenScoresOutputName(part, layer)))),
    ];
    const dims = [inputs.batchSize, inputs.seqLen];
    const positions = this.logitPositions(inputs, outputs, options.logitPositions);
    let results: InferenceSession.ReturnType;
    try {
      results = await session.run(
        {
          input_ids: new OrtTensor('int64', inputs.inputIds, dims),
          attention_mask: new OrtTensor('int64', inputs.attentionMask, dims),
          global_attention_mask: new OrtTensor('int64', inputs.globalAttentionMask, dims),
          ...(positions === undefined ? {} : { [LOGIT_POSITIONS_INPUT]: new OrtTensor('int64', positions, [positions.length]) }),
          ...(scoresQuery === undefined
            ? {}
            : { [ATTENTION_QUERY_INPUT]: new OrtTensor('int64', BigInt64Array.of(BigInt(scoresQuery)), [1]) }),
        },
        fetches.length === 0 ? [this.availableOutputs[0] ?? 'last_hidden_state'] : fetches,
      );
    } catch (error) {
      throw new LensError(
        'RUNTIME_FAILED',
        `onnxruntime failed to run the model: ${error instanceof Error ? error.message : String(error)}`,
        undefined,
        { cause: error },
      );
    }
    const take = (name: string): FloatTensor => {
      const value = results[name];
      if (value === undefined || value.type !== 'float32') throw new Error(`internal: output ${name} is missing or not float32`);
      return { dtype: 'float32', shape: [...value.dims], data: value.data as Float32Array };
    };
    const tensors = new Map<OutputName, FloatTensor>(plain.map((name) => [name, take(name)]));
    const attentions = outputs.includes('attentions') ? layers.map((layer) => take(attentionsOutputName(layer))) : undefined;
    let globalAttentions = outputs.includes('global_attentions')
      ? layers.map((layer) => take(globalAttentionsOutputName(layer)))
      : undefined;
    // HuggingFace returns no global attentions when the batch has no global token (their last axis would be 0); the
    // graph then gives one filler slot (graph/longformer/sequence.ts), dropped here.
    if (mostGlobalTokens(inputs) === 0) globalAttentions = undefined;
    const tokenScores =
      scoresQuery === undefined
        ? undefined
        : allLayers.map(
            (layer) =>
              Object.fromEntries(TOKEN_SCORE_PARTS.map((part) => [part, take(tokenScoresOutputName(part, layer))])) as TokenScoreTensors,
          );
    return {
      provider: this.provider,
      precision: this.precision,
      ...(this.providerNote === undefined ? {} : { providerNote: this.providerNote }),
      ...(this.precisionNote === undefined ? {} : { precisionNote: this.precisionNote }),
      ...(this.approximation === undefined ? {} : { approximation: this.approximation }),
      tensors,
      ...(attentions === undefined ? {} : { attentions }),
      ...(globalAttentions === undefined ? {} : { globalAttentions }),
      ...(attentions === undefined && globalAttentions === undefined ? {} : { attentionLayers: layers }),
      ...(tokenScores === undefined ? {} : { tokenScores }),
    };
  }

  /**
   * The `logit_positions` input of a masked-LM graph (model-cache.ts builds them with it): the positions asked for,
   * else every position when the run fetches `logits`, else none (the LM head then computes nothing).
   */
  private logitPositions(
    inputs: ModelInputs,
    outputs: readonly OutputName[],
    asked: readonly number[] | undefined,
  ): BigInt64Array | undefined {
    if (this.config.head !== 'masked-lm') {
      if (asked !== undefined)
        throw new LensError('WRONG_HEAD', `logit positions need a masked-LM head; this is ${this.config.architecture}.`);
      return undefined;
    }
    if (asked === undefined) {
      const count = outputs.includes('logits') ? inputs.seqLen : 0;
      return BigInt64Array.from({ length: count }, (_, i) => BigInt(i));
    }
    for (const position of asked) {
      // A negative index would count from the end in onnxruntime's Gather.
      if (!Number.isInteger(position) || position < 0 || position >= inputs.seqLen) {
        throw new LensError('BAD_ARGUMENT', `logit position ${position} is outside the ${inputs.seqLen}-token input.`);
      }
    }
    return BigInt64Array.from(asked, (position) => BigInt(position));
  }

  private sessionWithAttentions(): Promise<InferenceSession> {
    this.attentionsSession ??= createSession(this.cache.attentionsModelPath, this.provider, this.settings);
    return this.attentionsSession;
  }

  private sessionWithTokenScores(): Promise<InferenceSession> {
    this.tokenScoresSession ??= createSession(this.cache.tokenScoresModelPath, this.provider, this.settings);
    return this.tokenScoresSession;
  }

  async dispose(): Promise<void> {
    await this.session.release();
    if (this.attentionsSession !== undefined) await (await this.attentionsSession).release();
    if (this.tokenScoresSession !== undefined) await (await this.tokenScoresSession).release();
  }
}
