// The worker's methods: each loads (or reuses) the model, runs one core task and reports progress per chunk.
import { stat } from 'node:fs/promises';
import type { HeadKind } from '../core/checkpoint/config';
import { describeCheckpoint } from '../core/checkpoint/describe';
import { findWeightFiles, loadCheckpoint, readCheckpointConfig } from '../core/checkpoint/load';
import { downloadModel, resolveModel } from '../core/hub';
import { describeProgress } from '../core/hub/progress';
import { answer } from '../core/tasks/answer';
import { attentionCube } from '../core/tasks/attention';
import { classify } from '../core/tasks/classify';
import { embed } from '../core/tasks/embed';
import { prepareDocument, type DocumentTaskOptions } from '../core/tasks/pipeline';
import { spanCoverage } from '../core/tasks/span-coverage';
import { basename } from 'node:path';
import { classifyWithHead } from '../core/head/classify-with-head';
import { EmbeddingCache } from '../core/head/embedding-cache';
import { readExamples } from '../core/head/examples';
import { baseModelIdentity, checkBaseModel, FEATURE_RECIPE, loadHead, saveHead } from '../core/head/head-file';
import { trainHead } from '../core/head/train-head';
import { defaultCacheDir } from '../core/runtime/model-cache';
import { zeroShotClassify } from '../core/tasks/zero-shot';
import { parseLabels } from '../core/tasks/zero-shot-prompt';
import { hasTokenizerFiles, loadTokenizer } from '../core/tokenizer';
import { EnginePool, type LoadedModel } from './engine-pool';
import type { DocumentParams, ModelChoice } from './protocol';
import type { HandlerContext, Handlers } from './serve';

// Lines on stderr reach the extension's log.
const pool = new EnginePool((line) => process.stderr.write(`${line}\n`));

/** Tokenizers by folder, for the mark hover (which needs no engine). */
const tokenizers = {
  loaded: new Map<string, ReturnType<typeof loadTokenizer>>(),
  get(folder: string): ReturnType<typeof loadTokenizer> {
    let tokenizer = this.loaded.get(folder);
    if (tokenizer === undefined) {
      tokenizer = loadTokenizer(folder);
      this.loaded.set(folder, tokenizer);
    }
    return tokenizer;
  },
};

function taskOptions(params: DocumentParams, context: HandlerContext): DocumentTaskOptions {
  return {
    spans: params.spans,
    ...(params.maxLength === undefined ? {} : { maxLength: params.maxLength }),
    ...(params.overlap === undefined ? {} : { overlap: params.overlap }),
    signal: context.signal,
    onProgress: ({ done, total }) => context.progress(done, total, `chunk ${done} of ${total}`),
  };
}

/**
 * Runs a task with the request's model open, after telling the extension which provider and precision it runs on. `head`: what the
 * task needs, the head a config without architectures is read with, as the task's Auto class would build it.
 */
function withModel<T>(params: ModelChoice, head: HeadKind, context: HandlerContext, work: (model: LoadedModel) => Promise<T>): Promise<T> {
  context.progress(0, 1, 'loading the model');
  return pool.use(params, head, context.signal, (model) => {
    const { provider, providerNote, precision, precisionNote, approximation } = model.engine;
    context.engine({
      modelDir: params.modelDir,
      provider,
      ...(providerNote === undefined ? {} : { providerNote }),
      precision,
      ...(precisionNote === undefined ? {} : { precisionNote }),
      ...(approximation === undefined ? {} : { approximation }),
    });
    return work(model);
  });
}

export const handlers: Handlers = {
  async modelSummary(params, context) {
    const { folder } = await resolveModel(params.modelDir, { signal: context.signal });
    return describeCheckpoint(folder, await loadCheckpoint(folder, { signal: context.signal }));
  },

  async modelHead(params, context) {
    const { folder } = await resolveModel(params.modelDir, { signal: context.signal });
    const config = await readCheckpointConfig(folder);
    return { architecture: config.architecture, head: config.head, architectureNamed: config.autoClass === undefined };
  },

  async markCoverage(params, context) {
    const { folder } = await resolveModel(params.modelDir, { signal: context.signal });
    const config = await readCheckpointConfig(folder);
    const prepared = prepareDocument(config, tokenizers.get(folder), params.text, {});
    return { ...spanCoverage(prepared.tokens, prepared.chunks, params.span), chunkCount: prepared.chunks.length };
  },

  async inspectModel(params, context) {
    const { folder } = await resolveModel(params.modelDir, { signal: context.signal });
    const config = await readCheckpointConfig(folder);
    const { files } = await findWeightFiles(folder);
    // loadTokenizer throws the error that names the missing files.
    if (!hasTokenizerFiles(folder)) loadTokenizer(folder);
    const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
    return {
      folder,
      architecture: config.architecture,
      head: config.head,
      architectureNamed: config.autoClass === undefined,
      labels: config.id2label,
      weightFiles: files,
      weightBytes: sizes.reduce((sum, size) => sum + size, 0),
    };
  },

  async download(params, context) {
    const result = await downloadModel(params.repo, {
      signal: context.signal,
      ...(params.token === undefined ? {} : { token: params.token }),
      onProgress: (event) => context.progress(event.bytesDone, event.bytesTotal, describeProgress(event)),
    });
    return { snapshotDir: result.snapshotDir, commit: result.commit, fromCache: result.fromCache };
  },

  classify(params, context) {
    const method = params.method ?? { kind: 'fine-tuned-head' };
    const options = { ...taskOptions(params, context), ...(params.aggregate === undefined ? {} : { aggregate: params.aggregate }) };
    if (method.kind === 'zero-shot') {
      const labels = parseLabels(method.labels);
      return withModel(params, 'masked-lm', context, ({ engine, tokenizer }) =>
        zeroShotClassify(engine, tokenizer, params.text, labels, {
          ...options,
          ...(method.template === undefined ? {} : { template: method.template }),
          ...(method.calibrate === undefined ? {} : { calibrate: method.calibrate }),
        }),
      );
    }
    if (method.kind === 'trained-head') {
      return withModel(params, 'base', context, async ({ engine, tokenizer }) => {
        const trained = await loadHead(method.headDir);
        checkBaseModel(trained, method.headDir, baseModelIdentity(params.modelDir, engine.config));
        return classifyWithHead(engine, tokenizer, params.text, trained, options);
      });
    }
    return withModel(params, 'sequence-classification', context, ({ engine, tokenizer }) =>
      classify(engine, tokenizer, params.text, options),
    );
  },

  async trainHead(params, context) {
    const examples = await readExamples(params.examplesDir);
    return withModel(params, 'base', context, async ({ engine, tokenizer }) => {
      const cache = new EmbeddingCache(defaultCacheDir(), engine.cache.key, `${FEATURE_RECIPE} model-limit`, 2 * engine.config.hiddenSize);
      const { trained, report } = await trainHead(engine, tokenizer, examples, {
        baseModel: baseModelIdentity(params.modelDir, engine.config),
        cache,
        signal: context.signal,
        onFile: ({ done, total, path }) => context.progress(done, total, basename(path)),
      });
      await saveHead(params.outDir, trained);
      return report;
    });
  },

  answer(params, context) {
    return withModel(params, 'question-answering', context, ({ engine, tokenizer }) =>
      answer(engine, tokenizer, params.question, params.text, {
        ...taskOptions(params, context),
        topK: params.topK,
        ...(params.maxAnswerLength === undefined ? {} : { maxAnswerLength: params.maxAnswerLength }),
      }),
    );
  },

  embed(params, context) {
    return withModel(params, 'base', context, ({ engine, tokenizer }) =>
      embed(engine, tokenizer, params.text, taskOptions(params, context)),
    );
  },

  attentionCube(params, context) {
    return withModel(params, 'base', context, ({ engine, tokenizer }) =>
      attentionCube(engine, tokenizer, params.text, {
        ...taskOptions(params, context),
        onProgress: ({ done, total }) => context.progress(done, total, `attention for every layer and head: chunk ${done} of ${total}`),
        mode: params.mode,
        ...(params.at === undefined ? {} : { at: params.at }),
      }).then((cube) => {
        const { config } = engine;
        return {
          ...cube,
          model: { layers: config.numHiddenLayers, heads: config.numAttentionHeads, attentionWindow: config.attentionWindow },
        };
      }),
    );
  },
};
