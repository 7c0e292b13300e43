// `longformer-lens info --model <dir> [--json]`: what a checkpoint is (architecture, head, sizes, windows) and
// what its weights are (format, files, dtype), read and fully validated the same way inference reads them.
import type { Command } from 'commander';
import { type CheckpointInfo, describeCheckpoint } from '../../core/checkpoint/describe';
import { loadCheckpoint } from '../../core/checkpoint/load';
import { extendedPositionsNote, withExtendedPositions } from '../../core/checkpoint/extend-positions';
import { extendPositionsFlag } from '../engine-flags';
import { MODEL_FLAG, MODEL_HELP, resolveModelArg } from '../model-arg';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('Describe a Longformer checkpoint.')
    .requiredOption(MODEL_FLAG, MODEL_HELP)
    .option('--json', 'print the description as JSON')
    .option('--extend-positions <tokens>', 'describe the checkpoint as --extend-positions would run it')
    .action(async (options: { model: string; json?: boolean; extendPositions?: string }) => {
      const folder = await resolveModelArg(options.model);
      const extend = extendPositionsFlag(options.extendPositions);
      const checkpoint = await loadCheckpoint(folder);
      const described = describeCheckpoint(folder, checkpoint);
      const info: CheckpointInfo =
        extend === undefined
          ? described
          : {
              ...described,
              maxPositionEmbeddings: withExtendedPositions(checkpoint.config, extend).maxPositionEmbeddings,
              maxInputLength: extend,
              notes: [...described.notes, `approximation: ${extendedPositionsNote(checkpoint.config, extend)}`],
            };
      process.stdout.write(options.json === true ? `${JSON.stringify(info, null, 2)}\n` : formatInfo(info));
    });
}

export function formatInfo(info: CheckpointInfo): string {
  const rows: Array<[string, string]> = [
    ['model', info.folder],
    ['architecture', info.architecture],
    ['head', info.head],
    ['labels', info.labels.length === 0 ? '(none)' : info.labels.map((label, index) => `${index}=${label}`).join(', ')],
    ['layers', String(info.layers)],
    ['hidden size', String(info.hiddenSize)],
    ['attention heads', String(info.attentionHeads)],
    ['intermediate size', String(info.intermediateSize)],
    ['attention window', info.attentionWindow.join(', ')],
    ['attention dilation', info.attentionDilation.join(', ')],
    ['max positions', String(info.maxPositionEmbeddings)],
    ['longest input', `${info.maxInputLength} tokens (longer documents run in chunks)`],
    ['vocabulary', String(info.vocabSize)],
    ['parameters', info.parameterCount.toLocaleString('en-US')],
    ['weights', `${info.weightFormat}, ${info.weightDtype}`],
    ['files', info.weightFiles.join(', ')],
    ...ignoredRows(info.ignoredTensors),
    ...info.notes.map((note): [string, string] => ['note', note]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}\n`).join('');
}

/** One row per reason, naming the tensors (the first few of a long list), e.g. lm_head.* of an encoder. */
function ignoredRows(ignored: CheckpointInfo['ignoredTensors']): Array<[string, string]> {
  const byReason = new Map<string, string[]>();
  for (const { name, reason } of ignored) byReason.set(reason, [...(byReason.get(reason) ?? []), name]);
  return [...byReason].map(([reason, names]) => {
    const shown = names.length > 4 ? `${names.slice(0, 4).join(', ')} and ${names.length - 4} more` : names.join(', ');
    return ['ignored', `${shown}: ${reason}`];
  });
}
