// `longformer-lens info --model <dir>`: placeholder replaced by the checkpoint work.
import type { Command } from 'commander';

export function registerInfo(program: Command): void {
  program.command('info').description('Describe a Longformer checkpoint.').requiredOption('--model <dir>', 'checkpoint folder');
}
