// Where the hub is, whether the network may be used, and which token to send: huggingface_hub's environment
// variables, so one setting (e.g. HF_ENDPOINT for a mirror) works for Python and for us.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCacheRoot, hfHome } from './cache-layout';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

export interface HubSettingsInput {
  /** Hub base URL; default HF_ENDPOINT, else https://huggingface.co. */
  readonly endpoint?: string;
  /** Cache root; default HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub. */
  readonly cacheDir?: string;
  /** Use the cache only; default true when HF_HUB_OFFLINE is 1/true/yes/on. */
  readonly offline?: boolean;
  /**
   * Access token for gated or private repositories. A string is used as given (the extension passes one from its
   * secret store); `null` sends none; undefined falls back to HF_TOKEN, then the token file `hf auth login` writes.
   */
  readonly token?: string | null;
  readonly env?: NodeJS.ProcessEnv;
}

export interface HubSettings {
  readonly endpoint: string;
  readonly cacheDir: string;
  readonly offline: boolean;
  readonly token: string | undefined;
}

export function resolveHubSettings(input: HubSettingsInput = {}): HubSettings {
  const env = input.env ?? process.env;
  const endpoint = (input.endpoint ?? nonEmpty(env['HF_ENDPOINT']) ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  return {
    endpoint,
    cacheDir: input.cacheDir ?? defaultCacheRoot(env),
    offline: input.offline ?? isTruthy(env['HF_HUB_OFFLINE']),
    token: input.token === null ? undefined : (nonEmpty(input.token) ?? envToken(env)),
  };
}

function envToken(env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = nonEmpty(env['HF_TOKEN']) ?? nonEmpty(env['HUGGING_FACE_HUB_TOKEN']);
  if (fromEnv !== undefined) return fromEnv.trim();
  const tokenFile = nonEmpty(env['HF_TOKEN_PATH']) ?? join(hfHome(env), 'token');
  try {
    return nonEmpty(readFileSync(tokenFile, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** huggingface_hub's reading of boolean variables. */
export function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
