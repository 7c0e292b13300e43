// The one place that talks HTTP to the hub: adds the token (only for the hub's own origin), routes through the
// proxy the environment names, logs each request with secrets redacted, and turns failures into LensErrors.
import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';
import { LensError } from '../errors';
import { explainHubFailure, explainNetworkFailure } from './hub-errors';
import { makeRedactor, type Redactor } from './redact';

export type HubLog = (line: string) => void;

export interface HubClientOptions {
  readonly endpoint: string;
  readonly token: string | undefined;
  /** Default: undici's EnvHttpProxyAgent, which honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY. */
  readonly dispatcher?: Dispatcher | undefined;
  /** Where the proxy variables are read from when no dispatcher is given (default process.env). */
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly log?: HubLog | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** What a request was for, so a failure can be explained in terms of the user's repository and file. */
export interface RequestSubject {
  readonly repoId: string;
  readonly revision: string;
  readonly path?: string;
}

export type HubResponse = Dispatcher.ResponseData;

const USER_AGENT = 'longformer-lens/0.1 (huggingface_hub-compatible cache)';

let sharedDispatcher: Dispatcher | undefined;

/**
 * undici, loaded on first use: most commands never reach the network, and loading it with the CLI took about 65 ms of
 * every start (issue #13's start time).
 */
function undici(): typeof Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous, deferred load, as above
  return require('undici') as typeof Undici;
}

/**
 * The process environment gets one agent, created on first use, so connections are pooled across downloads. A
 * caller-supplied environment gets its own agent, with every variable passed explicitly: undici would otherwise
 * fall back to process.env for the ones missing there.
 */
function proxyAwareDispatcher(env: NodeJS.ProcessEnv): { dispatcher: Dispatcher; owned: boolean } {
  if (env === process.env) {
    sharedDispatcher ??= new (undici().EnvHttpProxyAgent)();
    return { dispatcher: sharedDispatcher, owned: false };
  }
  // Lower-case first, as undici and curl read them.
  const pick = (name: string): string => env[name.toLowerCase()] ?? env[name] ?? '';
  const dispatcher = new (undici().EnvHttpProxyAgent)({
    httpProxy: pick('HTTP_PROXY'),
    httpsProxy: pick('HTTPS_PROXY'),
    noProxy: pick('NO_PROXY'),
  });
  return { dispatcher, owned: true };
}

export class HubClient {
  readonly redact: Redactor;
  private readonly endpointOrigin: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(private readonly options: HubClientOptions) {
    this.redact = makeRedactor([options.token]);
    this.endpointOrigin = new URL(options.endpoint).origin;
    const chosen =
      options.dispatcher === undefined
        ? proxyAwareDispatcher(options.env ?? process.env)
        : { dispatcher: options.dispatcher, owned: false };
    this.dispatcher = chosen.dispatcher;
    this.ownsDispatcher = chosen.owned;
  }

  /** Releases the connections of an agent made for this client alone. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close().catch(() => undefined);
  }

  get endpoint(): string {
    return this.options.endpoint;
  }

  get sendsToken(): boolean {
    return this.options.token !== undefined;
  }

  get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  log(line: string): void {
    this.options.log?.(this.redact(line));
  }

  /**
   * One request, never following redirects (callers decide: the hub's redirect carries the headers that matter).
   * Network failures and cancellation become LensErrors; HTTP statuses are returned as they are.
   */
  async send(method: 'GET' | 'HEAD', url: string, extraHeaders: Record<string, string> = {}): Promise<HubResponse> {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...extraHeaders };
    // The token goes to the hub only: a redirect target on another origin (a CDN with a signed URL) never sees it.
    if (this.options.token !== undefined && new URL(url).origin === this.endpointOrigin) {
      headers['authorization'] = `Bearer ${this.options.token}`;
    }
    this.throwIfCancelled();
    try {
      const response = await undici().request(url, { method, headers, dispatcher: this.dispatcher, signal: this.options.signal ?? null });
      this.log(
        `${method} ${withoutQuery(url)}${extraHeaders['range'] === undefined ? '' : ` (${extraHeaders['range']})`} -> ${response.statusCode}`,
      );
      return response;
    } catch (error) {
      this.throwIfCancelled();
      this.log(`${method} ${withoutQuery(url)} failed: ${String(error)}`);
      throw explainNetworkFailure(error, this.options.endpoint, `reach ${new URL(url).host}`, this.redact);
    }
  }

  /** GET a JSON document from the hub API. */
  async getJson(url: string, subject: RequestSubject): Promise<unknown> {
    const response = await this.send('GET', url, { accept: 'application/json' });
    if (response.statusCode !== 200) throw await this.failure(response, subject);
    try {
      return await response.body.json();
    } catch (error) {
      this.throwIfCancelled();
      throw new LensError(
        'HUB_ERROR',
        `The hub's answer from ${url} is not valid JSON.`,
        `Check that HF_ENDPOINT (${this.options.endpoint}) is the HuggingFace hub or a faithful mirror.`,
        { cause: error },
      );
    }
  }

  /** Reads the hub's error headers (and drains the body) into an explained LensError. */
  async failure(response: HubResponse, subject: RequestSubject): Promise<LensError> {
    await response.body.dump().catch(() => undefined);
    const retryAfter = Number(header(response, 'retry-after'));
    return explainHubFailure(
      {
        status: response.statusCode,
        errorCode: header(response, 'x-error-code'),
        serverMessage: header(response, 'x-error-message'),
        retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
        endpoint: this.options.endpoint,
        repoId: subject.repoId,
        revision: subject.revision,
        path: subject.path,
        sentToken: this.sendsToken,
      },
      this.redact,
    );
  }

  throwIfCancelled(): void {
    if (this.options.signal?.aborted === true)
      throw new LensError('CANCELLED', 'Download cancelled.', 'Run it again to resume where it stopped.');
  }
}

/** CDN URLs carry signatures in their query; logs get the path only. */
function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? url : `${url.slice(0, at)}?...`;
}

/** A response header as one string (undici gives arrays for repeated headers). */
export function header(response: HubResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
