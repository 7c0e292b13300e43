// `longformer-lens classify --model <dir> <file> [--global START:END]... [--global-text PHRASE]... [--json]`
import type { Command } from 'commander';
import { LensError } from '../../core/errors';
import { classify } from '../../core/tasks/classify';
import { requireHead } from '../../core/tasks/pipeline';
import { bar, type DocumentFlags, documentFlags, prepareRun, printWarnings, round, withEngine } from './document-task';

export function registerClassify(program: Command): void {
  documentFlags(
    program
      .command('classify')
      .description('Classify a document with a sequence-classification model.')
      .argument('<file>', 'UTF-8 document'),
  )
    .option('--aggregate <how>', 'combine chunk logits by mean or max', 'mean')
    .action(async (file: string, flags: DocumentFlags & { aggregate: string }) => {
      const aggregate = flags.aggregate;
      if (aggregate !== 'mean' && aggregate !== 'max')
        throw new LensError('BAD_ARGUMENT', `--aggregate ${aggregate}: expected mean or max.`);
      const run = await prepareRun(file, flags);
      requireHead(run.config, ['sequence-classification'], 'Classification');
      const result = await withEngine(run, flags, (engine) => classify(engine, run.tokenizer, run.text, { ...run.options, aggregate }));
      if (flags.json === true) {
        const probabilities = Object.fromEntries(result.labels.map((label, i) => [label, round(result.probabilities[i]!)]));
        const chunks = result.chunks.map((chunk) => ({
          start: chunk.start,
          end: chunk.end,
          probabilities: Object.fromEntries(result.labels.map((label, i) => [label, round(chunk.probabilities[i]!)])),
        }));
        const json = {
          label: result.label,
          probabilities,
          logits: [...result.logits].map(round),
          chunks,
          global_tokens: result.globalTokens,
          provider: result.provider,
          precision: result.precision,
        };
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      printWarnings(result.warnings);
      const order = result.labels.map((_, i) => i).sort((a, b) => result.probabilities[b]! - result.probabilities[a]!);
      const width = Math.max(...result.labels.map((label) => label.length));
      const lines = order.map(
        (i) => `${result.labels[i]!.padEnd(width)}  ${result.probabilities[i]!.toFixed(3)}  ${bar(result.probabilities[i]!)}`,
      );
      const chunks = result.chunks.length;
      lines.push(
        `${chunks} chunk${chunks === 1 ? '' : 's'}, ${result.globalTokens} global token${result.globalTokens === 1 ? '' : 's'} from spans, provider ${result.provider}`,
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
