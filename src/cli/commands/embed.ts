// `longformer-lens embed --model <dir> <file> [--json]`: the document's `<s>` vector and its mean-pooled token vectors
// from a base model (core/tasks/embed.ts, the embedding zero-shot and trained heads build on), for vector indexes.
// Over many files: `embed --model <dir> PATHS... [--glob P] [--jsonl OUT] [--workers N]` (src/cli/batch).
import type { Command } from 'commander';
import { embed } from '../../core/tasks/embed';
import { requireHead } from '../../core/tasks/pipeline';
import { type BatchFlags, batchFlags, chunkingParams, isBatchRun, runBatchVerb } from '../batch/batch-verb';
import { embeddingJson } from '../result-json';
import { type DocumentFlags, documentFlags, prepareRun, withEngine } from './document-task';

export function registerEmbed(program: Command): void {
  batchFlags(
    documentFlags(
      program
        .command('embed')
        .description(
          'Embed a document with a base model: the <s> vector and the mean of the token vectors. Several files, folders or globs run in batch mode.',
        )
        .argument('<paths...>', 'UTF-8 document; several files, folders or globs run in batch mode'),
    ),
  ).action(async (paths: string[], flags: DocumentFlags & BatchFlags) => {
    if (isBatchRun(paths, flags)) {
      const chunking = chunkingParams(flags);
      await runBatchVerb(paths, flags, {
        heads: ['base'],
        taskName: 'Embedding',
        task: {
          run: async (worker, { choice, text, spans }, signal) =>
            embeddingJson(await worker.request('embed', { ...choice, ...chunking, text, spans }, { signal })),
        },
      });
      return;
    }
    const run = await prepareRun(paths[0]!, flags, 'base');
    requireHead(run.config, ['base'], 'Embedding');
    const result = await withEngine(run, flags, (engine) => embed(engine, run.tokenizer, run.text, run.options));
    if (flags.json === true) {
      process.stdout.write(`${JSON.stringify(embeddingJson(result))}\n`);
      return;
    }
    const preview = (vector: Float32Array): string => `[${[...vector.subarray(0, 4)].map((v) => v.toFixed(4)).join(', ')}, …]`;
    const norm = (vector: Float32Array): string => Math.hypot(...vector).toFixed(3);
    process.stdout.write(
      `${result.cls.length} dimensions, ${result.chunks} chunk${result.chunks === 1 ? '' : 's'}, provider ${result.provider}, ${result.precision}\n` +
        `<s>   ${preview(result.cls)}  norm ${norm(result.cls)}\n` +
        `mean  ${preview(result.mean)}  norm ${norm(result.mean)}\n` +
        'The full vectors: --json.\n',
    );
  });
}
