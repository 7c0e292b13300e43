// The cache layout of huggingface_hub, so that a model fetched by Python is reused here and the other way round:
//   {root}/models--{org}--{name}/blobs/{etag}              file contents, named by their ETag
//   {root}/models--{org}--{name}/snapshots/{commit}/{path} relative symlink to ../../blobs/{etag} (copy if no symlinks)
//   {root}/models--{org}--{name}/refs/{revision}           the commit hash a branch or tag pointed to
//   {root}/.locks/models--{org}--{name}/                   lock files (ours carry a suffix, see blob-lock.ts)
import { homedir } from 'node:os';
import { join } from 'node:path';
import { LensError } from '../errors';

/** The environment variables huggingface_hub reads for the cache location, in its order of precedence. */
export function defaultCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = nonEmpty(env['HF_HUB_CACHE']) ?? nonEmpty(env['HUGGINGFACE_HUB_CACHE']);
  if (explicit !== undefined) return expandHome(explicit);
  return join(hfHome(env), 'hub');
}

/** $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface (also where `hf auth login` keeps `token`). */
export function hfHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = nonEmpty(env['HF_HOME']);
  if (home !== undefined) return expandHome(home);
  const xdg = nonEmpty(env['XDG_CACHE_HOME']);
  return join(xdg !== undefined ? expandHome(xdg) : join(homedir(), '.cache'), 'huggingface');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** `models--org--name`: `/` becomes `--` (repo ids cannot contain `--`, so this is reversible). */
export function repoFolderName(repoId: string): string {
  return ['models', ...repoId.split('/')].join('--');
}

export class RepoCache {
  readonly repoDir: string;
  readonly locksDir: string;

  constructor(
    readonly root: string,
    readonly repoId: string,
  ) {
    this.repoDir = join(root, repoFolderName(repoId));
    this.locksDir = join(root, '.locks', repoFolderName(repoId));
  }

  blobPath(etag: string): string {
    return join(this.repoDir, 'blobs', checkEtag(etag));
  }

  incompletePath(etag: string): string {
    return `${this.blobPath(etag)}.incomplete`;
  }

  snapshotDir(commit: string): string {
    return join(this.repoDir, 'snapshots', commit);
  }

  snapshotFile(commit: string, repoPath: string): string {
    return join(this.snapshotDir(commit), ...checkRepoPath(repoPath).split('/'));
  }

  refPath(revision: string): string {
    return join(this.repoDir, 'refs', ...revision.split('/'));
  }
}

// The ETag becomes a file name; a hostile or broken server must not be able to name `../../x`.
function checkEtag(etag: string): string {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(etag)) {
    throw new LensError(
      'HUB_ERROR',
      `The hub sent an unusable ETag for a file (${JSON.stringify(etag.slice(0, 80))}).`,
      'Check HF_ENDPOINT points to the HuggingFace hub or a faithful mirror.',
    );
  }
  return etag;
}

/** Repository paths come from the server's file list; they are relative, `/`-separated and never climb out. */
export function checkRepoPath(repoPath: string): string {
  const parts = repoPath.split('/');
  const bad = repoPath.length === 0 || parts.some((part) => part === '' || part === '.' || part === '..' || /[\\\0:]/.test(part));
  if (bad) throw new LensError('HUB_ERROR', `The hub listed an unusable file path ${JSON.stringify(repoPath.slice(0, 200))}.`);
  return repoPath;
}
