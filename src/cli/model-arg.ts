// Turns a `--model` argument into a checkpoint folder on disk: a folder as it is, or a hub repository id
// (`org/name[@revision]`) through the shared cache, downloaded when missing unless HF_HUB_OFFLINE is set.
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LensError, isLensError } from '../core/errors';
import { downloadTokenizer, looksLikeRepoSpec, resolveModel, type DownloadOptions, type DownloadProgress } from '../core/hub';
import { formatBytes } from '../core/hub/progress';

/** The --model flag as every verb declares it. */
export const MODEL_FLAG = '--model <model>';
export const MODEL_HELP = 'checkpoint folder or org/name[@revision] (a hub repository, downloaded into the cache when missing)';

/** The --tokenizer flag as every verb that reads text declares it (resolveTokenizerArg). */
export const TOKENIZER_FLAG = '--tokenizer <dir|repo>';
export const TOKENIZER_HELP = 'tokenizer folder or hub repository, for checkpoints published without one (default: --model)';

export async function resolveModelArg(value: string, options: DownloadOptions = {}): Promise<string> {
  const folder = resolve(value);
  if (existsSync(folder)) {
    if (statSync(folder).isDirectory()) return folder;
    throw new LensError(
      'BAD_ARGUMENT',
      `--model ${value} is a file, not a folder.`,
      `Pass the folder that holds config.json, the weights and the tokenizer files: --model ${dirname(value) || '.'}`,
    );
  }
  if (!looksLikeRepoSpec(value)) {
    throw new LensError(
      'NOT_FOUND',
      `--model ${value}: no such folder.`,
      'Pass a folder that holds config.json and the weights, or a hub repository id such as allenai/longformer-base-4096.',
    );
  }
  try {
    const model = await resolveModel(value, { onProgress: announceDownloads(), ...options });
    return model.folder;
  } catch (error) {
    // A bare word is as likely a mistyped folder as a hub name; say both.
    if (isLensError(error) && error.code === 'NOT_FOUND' && !value.includes('/')) {
      throw new LensError(
        'NOT_FOUND',
        `--model ${value}: no such folder, and no hub repository of that name.`,
        'Pass a checkpoint folder, or a repository id written org/name.',
      );
    }
    throw error;
  }
}

/**
 * `--tokenizer`: the model folder when absent, a folder as it is, or a hub repository id whose tokenizer files (and
 * nothing else) are fetched into the shared cache, for checkpoints published without them.
 */
export async function resolveTokenizerArg(value: string | undefined, modelFolder: string, options: DownloadOptions = {}): Promise<string> {
  if (value === undefined) return modelFolder;
  const folder = resolve(value);
  if (existsSync(folder) && statSync(folder).isDirectory()) return folder;
  if (!looksLikeRepoSpec(value)) {
    throw new LensError(
      'NOT_FOUND',
      `--tokenizer ${value}: no such folder.`,
      'Pass a folder with vocab.json and merges.txt (or tokenizer.json), or a hub repository id such as allenai/longformer-base-4096.',
    );
  }
  return downloadTokenizer(value, { onProgress: announceDownloads(), ...options });
}

/** Other commands print JSON on stdout; a download they trigger is announced on stderr, once per file. */
function announceDownloads(): (event: DownloadProgress) => void {
  const announced = new Set<string>();
  return (event) => {
    if (event.fromCache || announced.has(event.file)) return;
    announced.add(event.file);
    process.stderr.write(`longformer-lens: downloading ${event.file} (${formatBytes(event.bytesTotal)}) from the hub...\n`);
  };
}
