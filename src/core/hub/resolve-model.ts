// A model named by the user, either a checkpoint folder or a hub repository `org/name[@revision]`, as a folder.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LensError } from '../errors';
import { downloadModel, type DownloadOptions } from './download-model';
import { looksLikeRepoSpec } from './repo-spec';

export interface ResolvedModel {
  /** A folder with config.json and the weights. */
  readonly folder: string;
  readonly source: 'folder' | 'hub';
  /** For hub models: the repository and the commit the folder holds. */
  readonly repoId?: string;
  readonly commit?: string;
}

export async function resolveModel(spec: string, options: DownloadOptions = {}): Promise<ResolvedModel> {
  // An existing folder always wins, so `allenai/longformer-base-4096` checked out locally is used as it is.
  const folder = resolve(spec);
  const info = await stat(folder).catch(() => undefined);
  if (info?.isDirectory() === true) return { folder, source: 'folder' };
  if (!looksLikeRepoSpec(spec)) {
    throw new LensError(
      'NOT_FOUND',
      `${spec}: no such folder.`,
      'Pass a folder that holds config.json and the weights, or a hub repository id such as allenai/longformer-base-4096.',
    );
  }
  const result = await downloadModel(spec, options);
  return { folder: result.snapshotDir, source: 'hub', repoId: result.repoId, commit: result.commit };
}
