// Parses `org/name[@revision]` (or a legacy un-namespaced `name[@revision]`) the way the hub names repositories.
import { LensError } from '../errors';

export interface RepoSpec {
  /** `org/name`, or `name` for the hub's legacy canonical models. */
  readonly repoId: string;
  /** Branch, tag or commit hash; `main` when the spec names none. */
  readonly revision: string;
}

export const DEFAULT_REVISION = 'main';

// The hub's own rule for repository name parts: letters, digits, `-`, `_`, `.`; no leading/trailing `-` or `.`,
// and no `--` or `..`, which would make the cache folder name (`models--org--name`) ambiguous.
const NAME_PART = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$/;

/** A full commit hash; refs are not written for these and they never need the network to resolve. */
export function isCommitHash(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}

export function isValidRepoId(repoId: string): boolean {
  const parts = repoId.split('/');
  if (parts.length < 1 || parts.length > 2) return false;
  return parts.every((part) => NAME_PART.test(part) && !part.includes('--') && !part.includes('..'));
}

/** A revision is sent in URLs (escaped) and becomes a path under `refs/`, so it must not climb out of it. */
export function isValidRevision(revision: string): boolean {
  if (revision.length === 0 || revision.length > 255) return false;
  if (revision.startsWith('/') || revision.endsWith('/')) return false;
  return revision.split('/').every((part) => part.length > 0 && part !== '.' && part !== '..' && !/[\\\0:]/.test(part));
}

export function parseRepoSpec(spec: string, defaultRevision: string = DEFAULT_REVISION): RepoSpec {
  const at = spec.indexOf('@');
  const repoId = at === -1 ? spec : spec.slice(0, at);
  const revision = at === -1 ? defaultRevision : spec.slice(at + 1);
  if (!isValidRepoId(repoId)) {
    throw new LensError(
      'BAD_ARGUMENT',
      `"${spec}" is not a model repository id.`,
      'Write it as org/name, optionally followed by @revision (a branch, tag or commit), e.g. allenai/longformer-base-4096@main.',
    );
  }
  if (!isValidRevision(revision)) {
    throw new LensError('BAD_ARGUMENT', `"${revision}" is not a usable revision for ${repoId}.`, 'Name a branch, a tag or a commit hash.');
  }
  return { repoId, revision };
}

/** Could this string be meant as a repository id rather than a path? (Used before anything touches the disk.) */
export function looksLikeRepoSpec(value: string): boolean {
  if (value.startsWith('.') || value.startsWith('/') || value.startsWith('~') || value.includes('\\')) return false;
  const at = value.indexOf('@');
  return isValidRepoId(at === -1 ? value : value.slice(0, at));
}
