// `longformer-lens export --model <dir> --out DIR [--precision fp32|fp16|int8] [--attentions] [--name NAME]`: the
// engine's ONNX graph, tokenizer, manifest, Triton repository and a README, for serving on other runtimes.
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { exportModel } from '../../core/export/export-model';
import { isPrecision, PRECISIONS } from '../../core/precision';
import { LensError } from '../../core/errors';
import { MODEL_FLAG, MODEL_HELP, resolveModelArg } from '../model-arg';

interface ExportFlags {
  readonly model: string;
  readonly out: string;
  readonly precision: string;
  readonly attentions?: boolean;
  readonly name?: string;
}

/** A Triton model name from the --model argument: its last path or repository segment, without @revision. */
export function defaultModelName(model: string): string {
  const last = basename(model.replace(/@[^/]*$/, '').replace(/[\\/]+$/, ''));
  const name = last.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
  return name === '' ? 'longformer' : name;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('Write the model as ONNX (weights in external data) with its tokenizer, a manifest, a Triton repository and a README.')
    .requiredOption(MODEL_FLAG, MODEL_HELP)
    .requiredOption('--out <dir>', 'output folder (new, empty, or an earlier export, which is replaced)')
    .option(
      '--precision <p>',
      'numeric precision: fp32 (default), fp16 (MatMuls and their weights in float16) or int8 (dense layers quantized, onnxruntime only)',
      'fp32',
    )
    .option('--attentions', "also output every layer's attentions and global_attentions")
    .option('--name <name>', 'model name in the Triton repository (default: from --model)')
    .action(async (flags: ExportFlags) => {
      if (!isPrecision(flags.precision)) {
        throw new LensError('BAD_ARGUMENT', `--precision ${flags.precision}: unknown precision; choose one of ${PRECISIONS.join(', ')}.`);
      }
      const folder = await resolveModelArg(flags.model);
      const out = resolve(flags.out);
      const manifest = await exportModel(folder, out, {
        name: flags.name ?? defaultModelName(flags.model),
        precision: flags.precision,
        ...(flags.attentions === true ? { attentions: true } : {}),
      });
      const outputs = manifest.outputs.map((o) => o.name);
      process.stdout.write(
        `${out}: model.onnx + model.onnx.data (opset ${manifest.opset}, ${manifest.precision}), manifest.json, README.md, ` +
          `triton/${manifest.name}/\ninputs: ${manifest.inputs.map((i) => i.name).join(', ')}\n` +
          `outputs: ${outputs.length > 6 ? `${outputs.slice(0, 4).join(', ')}, … (${outputs.length})` : outputs.join(', ')}\n`,
      );
    });
}
