// Hub failures in plain words with the next step. The hub answers with an HTTP status plus an `X-Error-Code`
// header (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo) and an `X-Error-Message`.
import { LensError } from '../errors';
import type { Redactor } from './redact';

export interface HubFailure {
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly serverMessage: string | undefined;
  /** Seconds from a Retry-After header, when the server sent one. */
  readonly retryAfterSeconds: number | undefined;
  readonly endpoint: string;
  readonly repoId: string;
  readonly revision: string;
  /** The repository file, when the request was for one. */
  readonly path: string | undefined;
  readonly sentToken: boolean;
}

export function explainHubFailure(failure: HubFailure, redact: Redactor): LensError {
  const { status, errorCode, repoId, revision, endpoint, path, sentToken } = failure;
  const page = `${endpoint}/${repoId}`;
  const detail =
    failure.serverMessage === undefined
      ? ''
      : ` (the hub said: ${redact(failure.serverMessage)
          .slice(0, 300)
          .replace(/[.\s]+$/, '')})`;
  const tokenStep = sentToken
    ? 'The token that was sent was refused or has no access: check it at https://huggingface.co/settings/tokens.'
    : 'If the repository is private or gated, pass an access token (HF_TOKEN, or --token-env VAR on the command line).';

  if (errorCode === 'GatedRepo') {
    return new LensError(
      'HUB_ERROR',
      `${repoId} is a gated model: its files are only served to accounts that accepted its conditions${detail}.`,
      sentToken
        ? `Accept the conditions at ${page} with the account the token belongs to, then try again.`
        : `Accept the conditions at ${page}, then pass a token of that account (HF_TOKEN, or --token-env VAR).`,
    );
  }
  if (errorCode === 'RepoNotFound' || (status === 401 && errorCode === undefined && path === undefined)) {
    return new LensError(
      'NOT_FOUND',
      `The model repository ${repoId} was not found at ${endpoint}${detail}.`,
      `Check the spelling (org/name). ${tokenStep}`,
    );
  }
  if (errorCode === 'RevisionNotFound') {
    return new LensError(
      'NOT_FOUND',
      `${repoId} has no revision "${revision}"${detail}.`,
      `Use a branch, tag or commit listed at ${page}/tree/main, or leave out @revision for main.`,
    );
  }
  if (errorCode === 'EntryNotFound' || (status === 404 && path !== undefined)) {
    return new LensError(
      'NOT_FOUND',
      `${repoId}@${revision} has no file ${path ?? ''}${detail}.`,
      `The repository may not be a complete checkpoint at this revision; see ${page}/tree/${encodeURIComponent(revision)}.`,
    );
  }
  if (status === 401 || status === 403) {
    return new LensError('HUB_ERROR', `The hub refused access to ${repoId} (HTTP ${status})${detail}.`, tokenStep);
  }
  if (status === 404) {
    return new LensError(
      'NOT_FOUND',
      `The model repository ${repoId} was not found at ${endpoint}${detail}.`,
      `Check the spelling (org/name). ${tokenStep}`,
    );
  }
  if (status === 429) {
    const wait = failure.retryAfterSeconds === undefined ? 'a few minutes' : `${failure.retryAfterSeconds} s`;
    return new LensError(
      'HUB_ERROR',
      `The hub is rate-limiting requests from this machine (HTTP 429)${detail}.`,
      `Wait ${wait} and try again; requests with an access token (HF_TOKEN) get a higher limit.`,
    );
  }
  if (status >= 500) {
    return new LensError(
      'HUB_ERROR',
      `The hub failed to answer for ${repoId} (HTTP ${status})${detail}.`,
      'This is on the server side; try again later.',
    );
  }
  return new LensError(
    'HUB_ERROR',
    `Unexpected answer from the hub for ${repoId}${path === undefined ? '' : ` file ${path}`}: HTTP ${status}${detail}.`,
  );
}

/** The hub could not be reached at all (as opposed to answering with an error): the cache may stand in. */
export class HubUnreachable extends LensError {}

/** Failures below HTTP: DNS, refused connections, TLS, proxies, dropped sockets. */
export function explainNetworkFailure(error: unknown, endpoint: string, what: string, redact: Redactor): LensError {
  const message = redact(describeCause(error));
  return new HubUnreachable(
    'HUB_ERROR',
    `Could not ${what}: ${message}.`,
    `Check the network connection (and HTTPS_PROXY/NO_PROXY if a proxy is needed to reach ${endpoint}); set HF_HUB_OFFLINE=1 to work from the cache only.`,
  );
}

export function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const nested = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}${nested}`;
}

export function isAbortError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return error.name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR';
}
