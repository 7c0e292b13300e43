// The worker's methods: each loads (or reuses) the model, runs one core task and reports progress per chunk.
import { describeCheckpoint } from '../core/checkpoint/describe';
import { downloadModel, resolveModel } from '../core/hub';
import { describeProgress } from '../core/hub/progress';
import { loadCheckpoint } from '../core/checkpoint/load';
import { answer } from '../core/tasks/answer';
import { attention } from '../core/tasks/attention';
import { classify } from '../core/tasks/classify';
import { embed } from '../core/tasks/embed';
import type { DocumentTaskOptions } from '../core/tasks/pipeline';
import { EnginePool } from './engine-pool';
import type { DocumentParams } from './protocol';
import type { HandlerContext, Handlers } from './serve';

const pool = new EnginePool();

function taskOptions(params: DocumentParams, context: HandlerContext): DocumentTaskOptions {
  return {
    spans: params.spans,
    ...(params.maxLength === undefined ? {} : { maxLength: params.maxLength }),
    ...(params.overlap === undefined ? {} : { overlap: params.overlap }),
    signal: context.signal,
    onProgress: ({ done, total }) => context.progress(done, total, `chunk ${done} of ${total}`),
  };
}

async function loadModel(params: DocumentParams, context: HandlerContext): Promise<Awaited<ReturnType<EnginePool['get']>>> {
  context.progress(0, 1, 'loading the model');
  const model = await pool.get(params, context.signal);
  const { provider, providerNote } = model.engine;
  context.engine({ modelDir: params.modelDir, provider, ...(providerNote === undefined ? {} : { providerNote }) });
  return model;
}

export const handlers: Handlers = {
  async modelSummary(params, context) {
    const { folder } = await resolveModel(params.modelDir, { signal: context.signal });
    return describeCheckpoint(folder, await loadCheckpoint(folder, { signal: context.signal }));
  },

  async download(params, context) {
    const result = await downloadModel(params.repo, {
      signal: context.signal,
      ...(params.token === undefined ? {} : { token: params.token }),
      onProgress: (event) => context.progress(event.bytesDone, event.bytesTotal, describeProgress(event)),
    });
    return { snapshotDir: result.snapshotDir, commit: result.commit, fromCache: result.fromCache };
  },

  async classify(params, context) {
    const { engine, tokenizer } = await loadModel(params, context);
    return classify(engine, tokenizer, params.text, {
      ...taskOptions(params, context),
      ...(params.aggregate === undefined ? {} : { aggregate: params.aggregate }),
    });
  },

  async answer(params, context) {
    const { engine, tokenizer } = await loadModel(params, context);
    return answer(engine, tokenizer, params.question, params.text, {
      ...taskOptions(params, context),
      topK: params.topK,
      ...(params.maxAnswerLength === undefined ? {} : { maxAnswerLength: params.maxAnswerLength }),
    });
  },

  async embed(params, context) {
    const { engine, tokenizer } = await loadModel(params, context);
    return embed(engine, tokenizer, params.text, taskOptions(params, context));
  },

  async attention(params, context) {
    const { engine, tokenizer } = await loadModel(params, context);
    return attention(engine, tokenizer, params.text, {
      ...taskOptions(params, context),
      mode: params.mode,
      ...(params.layer === undefined ? {} : { layer: params.layer }),
      ...(params.head === undefined ? {} : { head: params.head }),
      ...(params.at === undefined ? {} : { at: params.at }),
    });
  },
};
