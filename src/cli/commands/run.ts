// `longformer-lens run --model <dir> --request <file.json> [--out <file.json>] [--provider p] [--threads n]
// [--precision p] [--extend-positions N] [--head H]`:
// runs one batch of token ids and writes the requested outputs as JSON. The request format and its checks live
// in src/core/runtime/request.ts.
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AUTO_CLASSES, type HeadKind } from '../../core/checkpoint/config';
import { readCheckpointConfig } from '../../core/checkpoint/load';
import { LensError } from '../../core/errors';
import { headOutputNames } from '../../core/graph/longformer/heads';
import { PROVIDER_CHOICES } from '../../core/runtime/providers';
import { withExtendedPositions } from '../../core/checkpoint/extend-positions';
import { EXTEND_POSITIONS_HELP, engineFlags } from '../engine-flags';
import { openEngine } from '../../core/runtime/open';
import { parseRunRequest, runResponse } from '../../core/runtime/request';
import { MODEL_FLAG, MODEL_HELP, resolveModelArg } from '../model-arg';

interface RunFlags {
  readonly model: string;
  readonly request: string;
  readonly out?: string;
  readonly provider: string;
  readonly threads?: string;
  readonly precision?: string;
  readonly cacheDir?: string;
  readonly extendPositions?: string;
  readonly head?: string;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run a batch of token ids through a checkpoint and write the requested outputs as JSON.')
    .requiredOption(MODEL_FLAG, MODEL_HELP)
    .requiredOption('--request <file>', 'JSON request: {"input_ids", "attention_mask"?, "global_attention_mask"?, "outputs"}')
    .option('--out <file>', 'write the response here instead of standard output')
    .option('--provider <name>', `execution provider: ${PROVIDER_CHOICES.join(', ')}`, 'auto')
    .option('--threads <n>', 'onnxruntime intra-op threads')
    .option('--precision <p>', 'numeric precision: fp32 (default), fp16 (GPU providers with shader-f16), int8 (CPU)')
    .option('--cache-dir <dir>', 'where generated ONNX models are cached')
    .option('--extend-positions <tokens>', EXTEND_POSITIONS_HELP)
    .option(
      '--head <head>',
      `for a config.json without architectures: read it with this head (${HEAD_KINDS.join(', ')}), as that head's Auto class would; default base (AutoModel)`,
    )
    .action(async (flags: RunFlags) => {
      await runCommand(flags);
    });
}

const HEAD_KINDS = Object.keys(AUTO_CLASSES) as HeadKind[];

async function runCommand(flags: RunFlags): Promise<void> {
  // Flags first: they are the cheapest to check.
  const engineOptions = engineFlags(flags);
  const requestJson = await readRequest(flags.request);
  const modelDir = await resolveModelArg(flags.model);
  // Checked against config.json before the engine opens, so a bad request fails at once rather than after the
  // graph is built. Only a base model's pooler cannot be known without the weights; engine.run checks that one.
  const head = headFlag(flags.head);
  const config = withExtendedPositions(await readCheckpointConfig(modelDir, head), engineOptions.extendPositions);
  if (head !== undefined && config.autoClass === undefined && config.head !== head) {
    throw new LensError(
      'BAD_ARGUMENT',
      `--head ${head}: config.json names ${config.architecture} (${config.head}); --head applies only to a config without architectures.`,
    );
  }
  const request = parseRunRequest(requestJson, config, [...headOutputNames(config.head, true), 'attentions', 'global_attentions']);
  const engine = await openEngine(modelDir, {
    ...engineOptions,
    ...(head === undefined ? {} : { head }),
    ...(flags.cacheDir === undefined ? {} : { cacheDir: flags.cacheDir }),
  });
  try {
    for (const note of [engine.providerNote, engine.precisionNote])
      if (note !== undefined) process.stderr.write(`longformer-lens: ${note}\n`);
    if (engine.approximation !== undefined) process.stderr.write(`longformer-lens: approximation: ${engine.approximation}\n`);
    const result = await engine.run(request.inputs, request.outputs);
    const text = `${JSON.stringify(runResponse(request, result))}\n`;
    if (flags.out === undefined) process.stdout.write(text);
    else await writeFile(flags.out, text);
  } finally {
    await engine.dispose();
  }
}

function headFlag(value: string | undefined): HeadKind | undefined {
  if (value === undefined) return undefined;
  if (!(HEAD_KINDS as readonly string[]).includes(value)) {
    throw new LensError('BAD_ARGUMENT', `--head ${value}: expected one of ${HEAD_KINDS.join(', ')}.`);
  }
  return value as HeadKind;
}

async function readRequest(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new LensError(
      'NOT_FOUND',
      `--request ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new LensError('BAD_ARGUMENT', `--request ${path}: not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
}
