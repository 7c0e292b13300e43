// `longformer-lens classify --model <dir> <file> [--labels L [--template T] | --head DIR] [--global START:END]... [--json]`
// The method follows the flags and the checkpoint: the checkpoint's own classification head, zero-shot labels on a
// masked-LM checkpoint (--labels), or a head trained with train-head (--head). Over many files:
// `classify --model <dir> PATHS... [--glob P] [--jsonl OUT] [--workers N]` (src/cli/batch), with any of the three.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ARCHITECTURE_HEADS, type HeadKind, type LongformerConfig } from '../../core/checkpoint/config';
import { classifyWithHead } from '../../core/head/classify-with-head';
import { baseModelIdentity, checkBaseModel, loadHead } from '../../core/head/head-file';
import { LensError } from '../../core/errors';
import { classify, type Classification } from '../../core/tasks/classify';
import { requireHead } from '../../core/tasks/pipeline';
import { zeroShotClassify, type ZeroShotClassification } from '../../core/tasks/zero-shot';
import { buildPrompt, DEFAULT_TEMPLATE, parseLabels } from '../../core/tasks/zero-shot-prompt';
import type { RobertaTokenizer } from '../../core/tokenizer/tokenizer';
import type { ClassifyMethod } from '../../worker/protocol';
import { type BatchFlags, batchFlags, chunkingParams, isBatchRun, runBatchVerb } from '../batch/batch-verb';
import { modelId } from './train-head';
import { bar, type DocumentFlags, documentFlags, prepareRun, printWarnings, round, runNotes, withEngine } from './document-task';

interface ClassifyFlags extends DocumentFlags, BatchFlags {
  readonly aggregate: string;
  readonly labels?: string;
  readonly template?: string;
  readonly calibration: boolean;
  readonly head?: string;
}

const METHOD_NAMES: Readonly<Record<Classification['method'], string>> = {
  'fine-tuned-head': "the checkpoint's fine-tuned classification head",
  'trained-head': 'a head trained with train-head',
  'zero-shot': 'zero-shot labels',
};

export function registerClassify(program: Command): void {
  batchFlags(
    documentFlags(
      program
        .command('classify')
        .description(
          "Classify a document: with the checkpoint's classification head, zero-shot labels on a masked-LM checkpoint (--labels), or a head trained with train-head. Several files, folders or globs run in batch mode.",
        )
        .argument('<paths...>', 'UTF-8 document; several files, folders or globs run in batch mode'),
    ),
  )
    .option('--aggregate <how>', 'combine chunk logits by mean or max', 'mean')
    .option('--labels <labels>', 'zero-shot labels on a masked-LM checkpoint, comma-separated; synonyms as name=word|word')
    .option('--template <text>', `zero-shot prompt with one <mask> (default "${DEFAULT_TEMPLATE}")`)
    .option('--no-calibration', 'zero-shot: do not calibrate against a content-free input')
    .option('--head <dir>', 'a head trained with train-head for this model')
    .action(async (paths: string[], flags: ClassifyFlags) => {
      const aggregate = flags.aggregate;
      if (aggregate !== 'mean' && aggregate !== 'max')
        throw new LensError('BAD_ARGUMENT', `--aggregate ${aggregate}: expected mean or max.`);
      if (flags.labels === undefined && (flags.template !== undefined || !flags.calibration)) {
        throw new LensError('BAD_ARGUMENT', '--template and --no-calibration go with --labels (zero-shot classification).');
      }
      if (flags.labels !== undefined && flags.head !== undefined) {
        throw new LensError('BAD_ARGUMENT', '--labels and --head are two different methods; give one of them.');
      }
      if (isBatchRun(paths, flags)) {
        const method = await batchMethod(flags);
        const chunking = chunkingParams(flags);
        await runBatchVerb(paths, flags, {
          heads: method.kind === 'zero-shot' ? ['masked-lm'] : method.kind === 'trained-head' ? ALL_HEADS : ['sequence-classification'],
          taskName: method.kind === 'zero-shot' ? 'Zero-shot classification (--labels)' : 'Classification',
          checkModel: (config, tokenizer) => checkMethod(method, flags, config, tokenizer),
          task: {
            run: async (worker, { choice, text, spans }, signal) =>
              classificationJson(await worker.request('classify', { ...choice, ...chunking, text, spans, aggregate, method }, { signal })),
          },
        });
        return;
      }
      // The head each method reads: a config without architectures gets it as the method's Auto class would build it.
      const run = await prepareRun(
        paths[0]!,
        flags,
        flags.head !== undefined ? 'base' : flags.labels !== undefined ? 'masked-lm' : 'sequence-classification',
      );
      let result: Classification | ZeroShotClassification;
      if (flags.head !== undefined) {
        const headDir = resolve(flags.head);
        const trained = await loadHead(headDir);
        checkBaseModel(trained, headDir, baseModelIdentity(modelId(flags.model), run.config));
        result = await withEngine(run, flags, (engine) =>
          classifyWithHead(engine, run.tokenizer, run.text, trained, { ...run.options, aggregate }),
        );
      } else if (flags.labels !== undefined) {
        const labels = parseLabels(flags.labels);
        requireHead(run.config, ['masked-lm'], 'Zero-shot classification (--labels)');
        const template = flags.template ?? DEFAULT_TEMPLATE;
        buildPrompt(run.tokenizer, template, labels); // template and label errors before the model opens
        result = await withEngine(run, flags, (engine) =>
          zeroShotClassify(engine, run.tokenizer, run.text, labels, { ...run.options, aggregate, template, calibrate: flags.calibration }),
        );
      } else {
        if (run.config.head !== 'sequence-classification') {
          throw new LensError(
            'WRONG_HEAD',
            `this checkpoint is ${run.config.architecture} (${run.config.head}), which has no classification head.`,
            run.config.head === 'masked-lm'
              ? 'Give --labels "a,b,c" for zero-shot labels, or --head DIR for a head trained with train-head.'
              : 'Give --head DIR for a head trained with train-head, or use a fine-tuned classification checkpoint.',
          );
        }
        result = await withEngine(run, flags, (engine) => classify(engine, run.tokenizer, run.text, { ...run.options, aggregate }));
      }
      if (flags.json === true) process.stdout.write(`${JSON.stringify(classificationJson(result), null, 2)}\n`);
      else printClassification(result);
    });
}

const ALL_HEADS: readonly HeadKind[] = [...new Set(ARCHITECTURE_HEADS.values())];

/** The method a batch run sends with every document; label, template and head files are read once, here. */
async function batchMethod(flags: ClassifyFlags): Promise<ClassifyMethod> {
  if (flags.labels !== undefined) {
    parseLabels(flags.labels);
    return {
      kind: 'zero-shot',
      labels: flags.labels,
      ...(flags.template === undefined ? {} : { template: flags.template }),
      calibrate: flags.calibration,
    };
  }
  if (flags.head !== undefined) {
    const headDir = resolve(flags.head);
    await loadHead(headDir);
    return { kind: 'trained-head', headDir };
  }
  return { kind: 'fine-tuned-head' };
}

/** What the single-file verb checks before the model opens: the prompt's tokens, or the head's base model. */
async function checkMethod(
  method: ClassifyMethod,
  flags: ClassifyFlags,
  config: LongformerConfig,
  tokenizer: RobertaTokenizer,
): Promise<void> {
  if (method.kind === 'zero-shot') buildPrompt(tokenizer, method.template ?? DEFAULT_TEMPLATE, parseLabels(method.labels));
  if (method.kind === 'trained-head') {
    checkBaseModel(await loadHead(method.headDir), method.headDir, baseModelIdentity(modelId(flags.model), config));
  }
}

function byLabel(labels: readonly string[], values: ArrayLike<number>): Record<string, number> {
  return Object.fromEntries(labels.map((label, i) => [label, round(values[i]!)]));
}

/** The `--json` shape, also each batch line's (plus path and sha256). */
export function classificationJson(result: Classification | ZeroShotClassification): Record<string, unknown> {
  const json: Record<string, unknown> = {
    label: result.label,
    probabilities: byLabel(result.labels, result.probabilities),
    logits: [...result.logits].map(round),
    chunks: result.chunks.map((chunk) => ({
      start: chunk.start,
      end: chunk.end,
      probabilities: byLabel(result.labels, chunk.probabilities),
    })),
    global_tokens: result.globalTokens,
    provider: result.provider,
    precision: result.precision,
    ...runNotes(result),
    method: result.method,
  };
  if ('template' in result) {
    json['template'] = result.template;
    json['raw_scores'] = byLabel(result.labels, result.rawScores);
    json['calibration'] = {
      applied: result.calibration.applied,
      input: result.calibration.input,
      scores: byLabel(result.labels, result.calibration.scores),
      probabilities: byLabel(result.labels, result.calibration.probabilities),
    };
  }
  return json;
}

function printClassification(result: Classification | ZeroShotClassification): void {
  printWarnings(result.warnings);
  const order = result.labels.map((_, i) => i).sort((a, b) => result.probabilities[b]! - result.probabilities[a]!);
  const width = Math.max(...result.labels.map((label) => label.length));
  const lines = order.map(
    (i) => `${result.labels[i]!.padEnd(width)}  ${result.probabilities[i]!.toFixed(3)}  ${bar(result.probabilities[i]!)}`,
  );
  const chunks = result.chunks.length;
  lines.push(
    `${chunks} chunk${chunks === 1 ? '' : 's'}, ${result.globalTokens} global token${result.globalTokens === 1 ? '' : 's'} from spans, provider ${result.provider}, ${result.precision}`,
  );
  lines.push(`method: ${METHOD_NAMES[result.method]}`);
  if ('template' in result) {
    lines.push(`template: "${result.template}"`);
    const prior = result.labels.map((label, i) => `${label} ${result.calibration.probabilities[i]!.toFixed(3)}`).join(', ');
    lines.push(
      result.calibration.applied
        ? `calibrated against the content-free input "${result.calibration.input}" (where the model gives ${prior})`
        : `not calibrated (--no-calibration); on the content-free input "${result.calibration.input}" the model gives ${prior}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
