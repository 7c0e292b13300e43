// The longformer-lens command line. Each verb lives in src/cli/commands/<verb>.ts and registers itself here.
import { Command, CommanderError } from 'commander';
import { version } from '../../package.json';
import { isLensError } from '../core/errors';
import { SomeDocumentsFailed } from './batch/run-batch';
import { registerAsk } from './commands/ask';
import { registerAttend } from './commands/attend';
import { registerBench } from './commands/bench';
import { registerClassify } from './commands/classify';
import { registerDownload } from './commands/download';
import { registerEmbed } from './commands/embed';
import { registerExport } from './commands/export';
import { registerInfo } from './commands/info';
import { registerTokenize } from './commands/tokenize';
import { registerRun } from './commands/run';
import { registerSynthesize } from './commands/synthesize';
import { registerTrainHead } from './commands/train-head';

/** Exit codes: 0 success, 1 unexpected failure (a bug), 2 bad input with a one-line reason on stderr. */
export const EXIT_BAD_INPUT = 2;
/** A batch run finished, but some documents failed (their error lines are in the output). */
export const EXIT_SOME_FAILED = 3;

export function buildProgram(): Command {
  const program = new Command('longformer-lens')
    .description('Run Longformer models on long documents, locally.')
    .version(version, '-V, --version', 'print the version and exit')
    .exitOverride();
  registerInfo(program);
  registerTokenize(program);
  registerClassify(program);
  registerAsk(program);
  registerEmbed(program);
  registerExport(program);
  registerAttend(program);
  registerRun(program);
  registerDownload(program);
  registerSynthesize(program);
  registerBench(program);
  registerTrainHead(program);
  for (const command of [program, ...program.commands]) {
    const help = command === program ? 'longformer-lens --help' : `longformer-lens ${command.name()} --help`;
    command.configureOutput({ outputError: (text, write) => write(parserError(text, help)) });
  }
  return program;
}

/** Commander's "error: unknown option '--modle'" as the one line every other error is: the tool's prefix, the
 * problem, and where the usage is. */
export function parserError(text: string, help: string): string {
  return `longformer-lens: ${text
    .trim()
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')} (see ${help})\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (or the help text, which exits with code 0).
      return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    }
    if (error instanceof SomeDocumentsFailed) {
      process.stderr.write(`longformer-lens: ${error.message}\n`);
      return EXIT_SOME_FAILED;
    }
    if (isLensError(error)) {
      process.stderr.write(`longformer-lens: ${error.describe()}\n`);
      return EXIT_BAD_INPUT;
    }
    process.stderr.write(
      `longformer-lens: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
