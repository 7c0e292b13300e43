// `longformer-lens train-head --model M --examples DIR --out HEAD [--json]`: fits a classification head on the
// document embeddings of labelled files (DIR/<label>/<file>) and saves it for `classify --head HEAD`.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readCheckpointConfig } from '../../core/checkpoint/load';
import { MIN_EXAMPLES_PER_LABEL } from '../../core/head/cross-validation';
import { EmbeddingCache } from '../../core/head/embedding-cache';
import { readExamples } from '../../core/head/examples';
import { baseModelIdentity, FEATURE_RECIPE, saveHead } from '../../core/head/head-file';
import { trainHead, trainingSummary, type TrainingReport } from '../../core/head/train-head';
import { openEngine } from '../../core/runtime/open';
import { defaultCacheDir } from '../../core/runtime/model-cache';
import { checkMaxLength } from '../../core/tasks/pipeline';
import { loadTokenizer } from '../../core/tokenizer';
import { engineFlags } from '../engine-flags';
import { MODEL_FLAG, MODEL_HELP, resolveModelArg, resolveTokenizerArg, TOKENIZER_FLAG, TOKENIZER_HELP } from '../model-arg';
import { parseInteger } from './document-task';
import { PROVIDER_CHOICES } from '../../core/runtime/provider-choice';

interface TrainHeadFlags {
  readonly model: string;
  readonly tokenizer?: string;
  readonly examples: string;
  readonly out: string;
  readonly json?: boolean;
  readonly maxLength?: string;
  readonly provider?: string;
  readonly threads?: string;
  readonly precision?: string;
}

/** How a head names its base model: a folder by its absolute path, a hub repository by its id. */
export function modelId(value: string): string {
  return existsSync(resolve(value)) ? resolve(value) : value;
}

export function registerTrainHead(program: Command): void {
  program
    .command('train-head')
    .description('Train a classification head on the document embeddings of labelled files, for classify --head.')
    .requiredOption(MODEL_FLAG, `${MODEL_HELP}; any Longformer: base, masked-LM, fine-tuned`)
    .option(TOKENIZER_FLAG, TOKENIZER_HELP)
    .requiredOption('--examples <dir>', 'folder with one subfolder of text files per label')
    .requiredOption('--out <dir>', 'folder to write head.safetensors and head.json into')
    .option('--max-length <tokens>', 'tokens per model input (default: the model limit)')
    .option('--provider <name>', `execution provider: ${PROVIDER_CHOICES.join(', ')}`, 'auto')
    .option('--threads <n>', 'CPU threads for inference')
    .option('--precision <p>', 'numeric precision: fp32 (default), fp16, int8')
    .option('--json', 'print the training report as JSON')
    .action(async (flags: TrainHeadFlags) => {
      const engineOptions = engineFlags(flags);
      const folder = await resolveModelArg(flags.model);
      const config = await readCheckpointConfig(folder);
      const tokenizerDir = await resolveTokenizerArg(flags.tokenizer, folder);
      const tokenizer = loadTokenizer(tokenizerDir);
      const maxLength = parseInteger(flags.maxLength, '--max-length', 3);
      checkMaxLength(config, maxLength);
      const examples = await readExamples(resolve(flags.examples));
      const engine = await openEngine(folder, engineOptions);
      let result;
      try {
        if (engine.providerNote !== undefined && flags.json !== true) process.stderr.write(`longformer-lens: ${engine.providerNote}\n`);
        const cache = new EmbeddingCache(
          defaultCacheDir(),
          engine.cache.key,
          // Another tokenizer gives other embeddings of the same file, so it gets its own entries (hub tokenizers resolve
          // to a snapshot folder named by its commit).
          `${FEATURE_RECIPE} ${maxLength ?? 'model-limit'}${tokenizerDir === folder ? '' : ` tokenizer ${tokenizerDir}`}`,
          2 * config.hiddenSize,
        );
        const tty = process.stderr.isTTY && flags.json !== true;
        result = await trainHead(engine, tokenizer, examples, {
          baseModel: baseModelIdentity(modelId(flags.model), config),
          cache,
          ...(maxLength === undefined ? {} : { maxLength }),
          ...(tty
            ? {
                onFile: ({ done, total, path }) =>
                  process.stderr.write(done === total ? '\r\x1b[K' : `\rfile ${done}/${total}: ${path.slice(-60)}\x1b[K`),
              }
            : {}),
        });
      } finally {
        await engine.dispose();
      }
      const out = resolve(flags.out);
      await saveHead(out, result.trained);
      if (flags.json === true) {
        const json = {
          out,
          labels: result.report.labels,
          embedded: result.report.embedded,
          from_cache: result.report.fromCache,
          provider: result.report.provider,
          ...trainingSummary(result.report),
        };
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      } else {
        process.stdout.write(`${formatReport(result.report, out)}\n`);
      }
    });
}

export function formatReport(report: TrainingReport, out: string): string {
  const lines: string[] = [];
  const total = report.files.reduce((a, b) => a + b, 0);
  lines.push(
    `${total} files in ${report.labels.length} labels (${report.labels.map((label, i) => `${label} ${report.files[i]}`).join(', ')}): ${report.embedded} embedded, ${report.fromCache} from the cache`,
  );
  if (report.skipped.length > 0) {
    lines.push(`skipped ${report.skipped.length} file${report.skipped.length === 1 ? '' : 's'}:`);
    for (const file of report.skipped) lines.push(`  ${file.path}: ${file.reason}`);
  }
  const cv = report.crossValidation;
  if (cv === null) {
    const short = report.labels.map((label, i) => [label, report.moreNeeded[i]!] as const).filter(([, more]) => more > 0);
    lines.push(
      `no cross-validated accuracy: it needs at least ${MIN_EXAMPLES_PER_LABEL} files per label; add ${short.map(([label, more]) => `${more} to ${label}`).join(', ')}. The head uses L2 ${report.l2}.`,
    );
  } else {
    lines.push(
      `cross-validated accuracy ${(cv.accuracy * 100).toFixed(1)}% (${cv.folds}-fold, L2 ${cv.l2} chosen from ${cv.strengths.map((s) => s.l2).join(', ')})`,
    );
    lines.push('confusion matrix (rows: true label, columns: predicted):');
    const width = Math.max(...report.labels.map((label) => label.length), 4);
    lines.push(`${''.padEnd(width)}  ${report.labels.map((label) => label.padStart(width)).join(' ')}`);
    cv.confusion.forEach((row, i) =>
      lines.push(`${report.labels[i]!.padEnd(width)}  ${row.map((count) => String(count).padStart(width)).join(' ')}`),
    );
  }
  lines.push(`accuracy on the training files ${(report.trainingAccuracy * 100).toFixed(1)}%`);
  lines.push(`head saved to ${out} (head.safetensors, head.json)`);
  return lines.join('\n');
}
