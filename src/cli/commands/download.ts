// `longformer-lens download <repo>[@revision]`: fetch a hub checkpoint into the shared (huggingface_hub) cache and
// print its snapshot folder. Progress goes to stderr, so stdout carries only the folder for scripts.
import type { Command } from 'commander';
import { LensError } from '../../core/errors';
import { downloadModel, type DownloadProgress } from '../../core/hub';
import { formatBytes } from '../../core/hub/progress';
import { downloadTimeLeft } from '../time-left';

export interface DownloadIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** A terminal gets one self-updating line per file; a pipe or log gets one plain line per file. */
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
}

const processIo: DownloadIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
  env: process.env,
};

interface DownloadFlags {
  readonly cache?: string;
  readonly tokenEnv?: string;
}

export function registerDownload(program: Command, io: DownloadIo = processIo): void {
  program
    .command('download')
    .description('Download a model from the HuggingFace hub into the cache shared with huggingface_hub; prints its folder.')
    .argument('<repo>', 'repository id, org/name[@revision]')
    .option('--cache <dir>', 'cache folder (default: HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub)')
    .option('--token-env <VAR>', 'read the access token from this environment variable (default: HF_TOKEN)')
    .action(async (repo: string, flags: DownloadFlags) => {
      const controller = new AbortController();
      const onInterrupt = (): void => controller.abort();
      process.once('SIGINT', onInterrupt);
      const progress = new ProgressView(io);
      try {
        const result = await downloadModel(repo, {
          env: io.env,
          ...(flags.cache === undefined ? {} : { cacheDir: flags.cache }),
          ...(flags.tokenEnv === undefined ? {} : { token: tokenFrom(io.env, flags.tokenEnv) }),
          signal: controller.signal,
          onProgress: (event) => progress.show(event),
        });
        progress.finish();
        io.stderr(`${result.repoId}@${result.revision} is commit ${result.commit}${result.fromCache ? ' (already in the cache)' : ''}.\n`);
        io.stdout(`${result.snapshotDir}\n`);
      } finally {
        progress.finish();
        process.removeListener('SIGINT', onInterrupt);
      }
    });
}

function tokenFrom(env: NodeJS.ProcessEnv, variable: string): string {
  const token = env[variable]?.trim();
  if (token === undefined || token === '') {
    throw new LensError(
      'BAD_ARGUMENT',
      `--token-env ${variable}: that environment variable is not set or empty.`,
      `Set ${variable} to an access token from https://huggingface.co/settings/tokens.`,
    );
  }
  return token;
}

class ProgressView {
  private openLine: string | undefined;
  private lastLength = 0;

  constructor(private readonly io: DownloadIo) {}

  show(event: DownloadProgress): void {
    const done = event.bytesDone >= event.bytesTotal;
    if (event.fromCache) {
      this.finish();
      this.io.stderr(`${event.file}: in the cache (${formatBytes(event.bytesTotal)})\n`);
      return;
    }
    if (!this.io.isTTY) {
      // Plain lines for logs: one when a transfer completes, nothing per chunk.
      if (done) this.io.stderr(`${event.file}: downloaded ${formatBytes(event.bytesTotal)}\n`);
      return;
    }
    if (this.openLine !== undefined && this.openLine !== event.file) this.finish();
    const percent = event.bytesTotal === 0 ? 100 : Math.floor((100 * event.bytesDone) / event.bytesTotal);
    const width = 24;
    const filled = Math.round((width * percent) / 100);
    const left = downloadTimeLeft(event.bytesDone, event.bytesTotal, event.bytesPerSecond);
    const rate = event.bytesPerSecond > 0 ? `  ${formatBytes(event.bytesPerSecond)}/s${left === '' ? '' : `, ${left}`}` : '';
    const line = `${event.file} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}%  ${formatBytes(event.bytesDone)} / ${formatBytes(event.bytesTotal)}${rate}`;
    // Overwrite the previous state in place; pad so a shorter line leaves no leftovers.
    this.io.stderr(`\r${line.padEnd(this.lastLength)}`);
    this.lastLength = line.length;
    this.openLine = event.file;
    if (done) this.finish();
  }

  finish(): void {
    if (this.openLine === undefined) return;
    this.io.stderr('\n');
    this.openLine = undefined;
    this.lastLength = 0;
  }
}
