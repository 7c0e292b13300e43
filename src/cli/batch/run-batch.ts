// A batch run of one document verb over many files: collect the files, skip those the output already holds, read
// and check each one here (so bad files become error lines with the single-file verb's message), run the rest on a
// pool of engine worker processes, and append one line per document as soon as it finishes.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { isLensError, LensError } from '../../core/errors';
import type { Precision } from '../../core/precision';
import type { ProviderChoice } from '../../core/runtime/provider-choice';
import { type CharSpan, findPhrase } from '../../core/tasks/chunking';
import { decodeDocument, readDocumentBytes } from '../../core/tasks/document';
import type { RobertaTokenizer } from '../../core/tokenizer/tokenizer';
import { type WorkerClient, WorkerError } from '../../extension/worker-client';
import type { ModelChoice } from '../../worker/protocol';
import { type BatchCounts, formatProgressLine, formatSummary } from './batch-progress';
import { collectDocuments } from './collect-documents';
import { machineCores, planWorkers, startWorkers, type WorkerPlan } from './engine-workers';
import { type BatchRecord, openJsonlFile, readFinished, type RecordSink, resumeKey, stdoutSink } from './jsonl-output';

/** What one verb does with one document in a worker: the request, and the verb's JSON for the result. */
export interface BatchTask {
  run(
    worker: WorkerClient,
    document: { choice: ModelChoice; text: string; spans: readonly CharSpan[] },
    signal: AbortSignal,
  ): Promise<object>;
}

export interface BatchOptions {
  readonly inputs: readonly string[];
  readonly glob?: string;
  /** Output file (appended, resumable); stdout when absent. */
  readonly jsonl?: string;
  readonly workers?: number;
  readonly threads?: number;
  readonly modelDir: string;
  readonly provider: ProviderChoice;
  readonly precision?: Precision;
  /** --extend-positions: each worker's graph takes this many tokens in one window (an approximation). */
  readonly extendPositions?: number;
  /** --tokenizer: the folder the workers read the tokenizer from, when it is not the model's. */
  readonly tokenizerDir?: string;
  /** Counts each document's tokens for the throughput figures. */
  readonly tokenizer: RobertaTokenizer;
  /** --global-text phrases, found in each document. */
  readonly phrases: readonly string[];
}

/** Some documents failed; their error lines are in the output. The CLI exits with EXIT_SOME_FAILED. */
export class SomeDocumentsFailed extends Error {
  override readonly name = 'SomeDocumentsFailed';
}

export async function runBatch(task: BatchTask, options: BatchOptions): Promise<BatchCounts> {
  const paths = await collectDocuments(options.inputs, options.glob === undefined ? {} : { glob: options.glob });
  if (paths.length === 0) {
    throw new LensError('NOT_FOUND', `no documents found in ${options.inputs.join(', ')}.`, 'Check the paths and the --glob pattern.');
  }
  const sizes = paths.map((path) => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  });
  const finished = options.jsonl === undefined ? new Set<string>() : await readFinished(options.jsonl);
  const requested = planWorkers(machineCores(), options.workers, options.threads, median(sizes));
  // Fewer documents than workers: the spare cores go to the workers that run.
  const workers = Math.min(requested.workers, paths.length);
  const plan: WorkerPlan = workers === requested.workers ? requested : planWorkers(machineCores(), workers, options.threads);
  const sink: RecordSink = options.jsonl === undefined ? stdoutSink() : openJsonlFile(options.jsonl);
  const clients = startWorkers(plan.workers);
  const controller = new AbortController();
  const interrupt = (): void => controller.abort();
  process.once('SIGINT', interrupt);

  const counts = {
    total: paths.length,
    done: 0,
    failed: 0,
    skipped: 0,
    tokens: 0,
    bytesTotal: sum(sizes),
    bytesFinished: 0,
    bytesRun: 0,
    elapsedMs: 0,
  };
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  const redraw = (): void => {
    counts.elapsedMs = Date.now() - started;
    if (tty) process.stderr.write(`\r\x1b[K${formatProgressLine(counts)}`);
  };
  const timer = tty ? setInterval(redraw, 500) : undefined;

  let next = 0;
  /** Runs one document; true when it went to the engine. */
  const runOne = async (client: WorkerClient, index: number): Promise<boolean> => {
    const path = paths[index]!;
    const outcome = await processDocument(task, client, path, options, plan, finished, controller.signal);
    if (outcome.kind === 'cancelled') return true;
    counts.bytesFinished += sizes[index]!;
    if (outcome.kind === 'skipped') counts.skipped += 1;
    else {
      sink.write(outcome.record);
      if (outcome.record.error === undefined) {
        counts.done += 1;
        counts.tokens += outcome.tokens;
        counts.bytesRun += sizes[index]!;
      } else counts.failed += 1;
    }
    redraw();
    return outcome.kind === 'written' && outcome.engine;
  };
  // The first document the engine runs goes alone, so the first worker builds the model's graph (cached on disk)
  // before the others open it, rather than every worker building the same graph at once.
  let releaseOthers = (): void => undefined;
  const warmedUp = new Promise<void>((resolve) => (releaseOthers = resolve));
  const slot = async (client: WorkerClient, first: boolean): Promise<void> => {
    if (!first) await warmedUp;
    while (!controller.signal.aborted && next < paths.length) {
      const engineRan = await runOne(client, next++);
      if (first && engineRan) releaseOthers();
    }
    if (first) releaseOthers();
  };
  try {
    const firstSlot = slot(clients[0]!, true);
    await Promise.all([firstSlot, ...clients.slice(1).map((client) => slot(client, false))]);
  } finally {
    if (timer !== undefined) clearInterval(timer);
    process.removeListener('SIGINT', interrupt);
    for (const client of clients) client.dispose();
    sink.close();
  }
  redraw();
  if (tty) process.stderr.write('\r\x1b[K');
  process.stderr.write(`longformer-lens: ${formatSummary(counts, plan, options.jsonl ?? 'the output')}\n`);
  if (controller.signal.aborted) {
    throw new LensError(
      'CANCELLED',
      `interrupted; ${counts.done + counts.failed} document(s) were written${options.jsonl === undefined ? '' : ` to ${options.jsonl}`}.`,
      options.jsonl === undefined ? 'Use --jsonl FILE to make a run resumable.' : 'Run the same command again to resume.',
    );
  }
  if (counts.failed > 0) {
    throw new SomeDocumentsFailed(
      `${counts.failed} of ${counts.total} documents failed; their error lines are in ${options.jsonl ?? 'the output'}.`,
    );
  }
  return counts;
}

type Outcome =
  | { readonly kind: 'skipped' }
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'written'; readonly record: BatchRecord; readonly tokens: number; readonly engine: boolean };

async function processDocument(
  task: BatchTask,
  client: WorkerClient,
  path: string,
  options: BatchOptions,
  plan: WorkerPlan,
  finished: ReadonlySet<string>,
  signal: AbortSignal,
): Promise<Outcome> {
  let bytes: Uint8Array;
  try {
    bytes = await readDocumentBytes(path);
  } catch (error) {
    return { kind: 'written', record: errorRecord(path, undefined, error), tokens: 0, engine: false };
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (finished.has(resumeKey(path, sha256))) return { kind: 'skipped' };
  let text: string;
  try {
    text = decodeDocument(bytes, path);
  } catch (error) {
    return { kind: 'written', record: errorRecord(path, sha256, error), tokens: 0, engine: false };
  }
  const spans = options.phrases.flatMap((phrase) => findPhrase(text, phrase));
  const choice: ModelChoice = {
    modelDir: options.modelDir,
    provider: options.provider,
    threads: plan.threadsPerWorker,
    ...(options.precision === undefined ? {} : { precision: options.precision }),
    ...(options.extendPositions === undefined ? {} : { extendPositions: options.extendPositions }),
    ...(options.tokenizerDir === undefined ? {} : { tokenizerDir: options.tokenizerDir }),
  };
  // A signal per document: the run's signal would collect one listener per request for the whole run.
  const documentSignal = new AbortController();
  const cancel = (): void => documentSignal.abort();
  signal.addEventListener('abort', cancel, { once: true });
  const pending = task.run(client, { choice, text, spans }, documentSignal.signal);
  // Counted here while the worker runs the model, for the throughput figures.
  const tokens = options.tokenizer.tokenize(text).ids.length;
  try {
    const result = await pending;
    return { kind: 'written', record: { path, sha256, ...result }, tokens, engine: true };
  } catch (error) {
    // A document cut off by Ctrl-C is not written: the rerun does it again.
    if (signal.aborted) return { kind: 'cancelled' };
    return { kind: 'written', record: errorRecord(path, sha256, error), tokens: 0, engine: true };
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/** The error line for a path: the code, and the sentence the single-file verb prints (message and next step). */
function errorRecord(path: string, sha256: string | undefined, error: unknown): BatchRecord {
  const { code, message } = describeError(error);
  return { path, ...(sha256 === undefined ? {} : { sha256 }), error: { code, message } };
}

function describeError(error: unknown): { code: string; message: string } {
  if (isLensError(error)) return { code: error.code, message: error.describe() };
  if (error instanceof WorkerError) {
    const { code, message, hint } = error.serialized;
    return { code, message: hint === undefined ? message : `${message} ${hint}` };
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)]!;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
