// A stand-in for the HuggingFace hub on 127.0.0.1, serving the fixture checkpoints the way the real hub serves
// files: the revision API, `resolve` URLs that redirect LFS files to a CDN origin (a second listener, so the
// token's confinement to the hub origin is observable), ETag / X-Repo-Commit / X-Linked-Etag / X-Linked-Size,
// Range requests, X-Error-Code errors, and injectable faults (dropped connections, corrupted bytes, rate limits).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface FakeFile {
  readonly content: Buffer;
  /** Served like git-LFS files: a redirect to the CDN and a SHA-256 in X-Linked-Etag. */
  readonly lfs: boolean;
}

export interface FakeRepo {
  readonly repoId: string;
  readonly commit: string;
  readonly files: Map<string, FakeFile>;
  /** Files need a token (X-Error-Code: GatedRepo without it). */
  readonly gatedToken?: string;
}

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly origin: 'hub' | 'cdn';
  readonly range: string | undefined;
  readonly authorization: string | undefined;
}

export const FIXTURES = join(__dirname, '..', '..', 'fixtures');

export function gitBlobSha1(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The base-tiny checkpoint with the RoBERTa tokenizer files, plus files inference does not need. */
export function fixtureRepo(repoId: string, commit: string, extra: { gatedToken?: string } = {}): FakeRepo {
  const ref = join(FIXTURES, 'longformer-ref', 'base-tiny');
  const bpe = join(FIXTURES, 'roberta-bpe');
  const files = new Map<string, FakeFile>([
    ['.gitattributes', { content: Buffer.from('*.safetensors filter=lfs\n'), lfs: false }],
    ['README.md', { content: Buffer.from('# tiny\n'), lfs: false }],
    ['config.json', { content: readFileSync(join(ref, 'config.json')), lfs: false }],
    ['model.safetensors', { content: readFileSync(join(ref, 'model.safetensors')), lfs: true }],
    ['pytorch_model.bin', { content: readFileSync(join(ref, 'pytorch_model.bin')), lfs: true }],
    ['vocab.json', { content: readFileSync(join(bpe, 'vocab.json')), lfs: false }],
    ['merges.txt', { content: readFileSync(join(bpe, 'merges.txt')), lfs: false }],
    ['special_tokens_map.json', { content: readFileSync(join(bpe, 'special_tokens_map.json')), lfs: false }],
    ['tokenizer_config.json', { content: readFileSync(join(bpe, 'tokenizer_config.json')), lfs: false }],
  ]);
  return { repoId, commit, files, ...extra };
}

/** The ETag under which the cache stores a file, as the hub announces it. */
export function blobName(file: FakeFile): string {
  return file.lfs ? sha256(file.content) : gitBlobSha1(file.content);
}

export class FakeHub {
  readonly requests: SeenRequest[] = [];
  /** Next content GET of the path sends only this many bytes, then the socket is destroyed (one-shot). */
  readonly dropAfter = new Map<string, number>();
  /** Content of these paths is served with one byte flipped (same length). */
  readonly corrupt = new Set<string>();
  /** Listed in the file list, but `resolve` answers 404 EntryNotFound. */
  readonly missing = new Set<string>();
  /** When set, every request gets 429 with this Retry-After. */
  rateLimitSeconds: number | undefined;
  /** Awaited between sending the bytes before a drop and destroying the socket (lets the client take them in). */
  beforeDrop: ((path: string, bytesSent: number) => Promise<void>) | undefined;
  /** Awaited before the body of a content GET is sent (lets a test line up concurrent clients). */
  beforeContent: ((path: string) => Promise<void>) | undefined;
  /** Awaited after each chunk of a content body is written. */
  afterChunk: ((path: string, bytesSent: number) => Promise<void> | void) | undefined;

  private readonly repos = new Map<string, FakeRepo>();
  private readonly revisions = new Map<string, FakeRepo>();
  private readonly hub: Server = createServer((req, res) => this.handle(req, res, 'hub'));
  private readonly cdn: Server = createServer((req, res) => this.handle(req, res, 'cdn'));

  hubUrl = '';
  cdnUrl = '';

  /** The CDN's host name in redirects; a name other than the hub's (e.g. `localhost`) matters to huggingface_hub. */
  constructor(private readonly cdnHost = '127.0.0.1') {}

  addRepo(repo: FakeRepo): void {
    this.repos.set(repo.repoId, repo);
  }

  async start(): Promise<void> {
    this.hubUrl = await listen(this.hub);
    this.cdnUrl = (await listen(this.cdn)).replace('127.0.0.1', this.cdnHost);
  }

  async close(): Promise<void> {
    for (const server of [this.hub, this.cdn]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Requests that fetch or describe file contents (everything but the revision API). */
  fileRequests(): SeenRequest[] {
    return this.requests.filter((request) => !request.url.startsWith('/api/'));
  }

  private handle(req: IncomingMessage, res: ServerResponse, origin: 'hub' | 'cdn'): void {
    const url = req.url ?? '/';
    this.requests.push({ method: req.method ?? '', url, origin, range: req.headers.range, authorization: req.headers.authorization });
    if (this.rateLimitSeconds !== undefined)
      return send(res, 429, { 'retry-after': String(this.rateLimitSeconds), 'x-error-message': 'Too many requests' });
    // Routed on the raw path, then each part decoded, as the hub does: a revision such as refs/pr/4 travels as one
    // escaped segment (refs%2Fpr%2F4), and decoding first would cut it into three.
    const raw = url.split('?')[0] ?? '/';
    if (origin === 'cdn') return this.serveCdn(req, res, decodeURIComponent(raw));
    const api = /^\/api\/models\/(.+)\/revision\/([^/]+)$/.exec(raw);
    if (api !== null && req.method === 'GET')
      return this.serveInfo(req, res, decodeURIComponent(api[1] ?? ''), decodeURIComponent(api[2] ?? ''));
    const resolve = /^\/([^/]+(?:\/[^/]+)?)\/resolve\/([^/]+)\/(.+)$/.exec(raw);
    if (resolve !== null) {
      return this.serveResolve(
        req,
        res,
        decodeURIComponent(resolve[1] ?? ''),
        decodeURIComponent(resolve[2] ?? ''),
        decodeURIComponent(resolve[3] ?? ''),
      );
    }
    send(res, 404, {});
  }

  /** Serves `repo` (its own commit and files) as `revision` of its repository, e.g. a pull request's refs/pr/4. */
  addRevision(revision: string, repo: FakeRepo): void {
    this.revisions.set(`${repo.repoId}@${revision}`, repo);
    this.revisions.set(`${repo.repoId}@${repo.commit}`, repo);
  }

  private findRepo(res: ServerResponse, repoId: string, revision: string): FakeRepo | undefined {
    const other = this.revisions.get(`${repoId}@${revision}`);
    if (other !== undefined) return other;
    const repo = this.repos.get(repoId);
    if (repo === undefined) {
      // Like the hub: an unknown repo and a private one look the same without a token.
      send(res, 401, { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Repository not found' });
      return undefined;
    }
    if (revision !== 'main' && revision !== repo.commit) {
      send(res, 404, { 'x-error-code': 'RevisionNotFound', 'x-error-message': `Invalid rev id: ${revision}` });
      return undefined;
    }
    return repo;
  }

  private serveInfo(_req: IncomingMessage, res: ServerResponse, repoId: string, revision: string): void {
    const repo = this.findRepo(res, repoId, revision);
    if (repo === undefined) return;
    const body = JSON.stringify({
      id: repo.repoId,
      sha: repo.commit,
      siblings: [...repo.files.keys()].map((rfilename) => ({ rfilename })),
    });
    send(res, 200, { 'content-type': 'application/json' }, Buffer.from(body));
  }

  private serveResolve(req: IncomingMessage, res: ServerResponse, repoId: string, revision: string, path: string): void {
    const repo = this.findRepo(res, repoId, revision);
    if (repo === undefined) return;
    if (repo.gatedToken !== undefined && req.headers.authorization !== `Bearer ${repo.gatedToken}`) {
      return send(res, 401, { 'x-error-code': 'GatedRepo', 'x-error-message': `Access to model ${repoId} is restricted.` });
    }
    const file = repo.files.get(path);
    if (file === undefined || this.missing.has(path))
      return send(res, 404, { 'x-error-code': 'EntryNotFound', 'x-error-message': 'Entry not found' });
    const common = { 'x-repo-commit': repo.commit };
    if (file.lfs) {
      const digest = sha256(file.content);
      // The hub's own ETag on the redirect is not the blob name; X-Linked-Etag is.
      return send(res, 302, {
        ...common,
        location: `${this.cdnUrl}/lfs/${repoId}/${digest}/${path}`,
        etag: `"${gitBlobSha1(Buffer.from(digest))}"`,
        'x-linked-etag': `"${digest}"`,
        'x-linked-size': String(file.content.length),
      });
    }
    this.serveBytes(req, res, path, file.content, { ...common, etag: `"${gitBlobSha1(file.content)}"` });
  }

  private serveCdn(req: IncomingMessage, res: ServerResponse, path: string): void {
    const match = /^\/lfs\/(.+)\/([0-9a-f]{64})\/(.+)$/.exec(path);
    const repo = match === null ? undefined : this.repos.get(match[1] ?? '');
    const file = match === null ? undefined : repo?.files.get(match[3] ?? '');
    if (match === null || file === undefined) return send(res, 404, {});
    this.serveBytes(req, res, match[3] ?? '', file.content, { etag: `"${match[2]}"` });
  }

  private serveBytes(req: IncomingMessage, res: ServerResponse, path: string, original: Buffer, headers: Record<string, string>): void {
    let content = original;
    if (this.corrupt.has(path)) {
      content = Buffer.from(original);
      content[content.length >> 1] = (content[content.length >> 1] ?? 0) ^ 0xff;
    }
    let start = 0;
    let status = 200;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range !== null) {
      start = Number(range[1]);
      if (start >= content.length) return send(res, 416, { 'content-range': `bytes */${content.length}` });
      status = 206;
      headers = { ...headers, 'content-range': `bytes ${start}-${content.length - 1}/${content.length}` };
    }
    const body = content.subarray(start);
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-length': String(content.length) });
      res.end();
      return;
    }
    const drop = this.dropAfter.get(path);
    void (async () => {
      await this.beforeContent?.(path);
      res.writeHead(status, { ...headers, 'content-length': String(body.length), 'accept-ranges': 'bytes' });
      if (drop !== undefined) {
        this.dropAfter.delete(path);
        res.write(body.subarray(0, drop));
        await this.beforeDrop?.(path, drop);
        res.socket?.destroy();
        return;
      }
      // A few chunks, so progress and cancellation have something to observe.
      const chunk = Math.max(1, Math.ceil(body.length / 4));
      for (let offset = 0; offset < body.length; offset += chunk) {
        const piece = body.subarray(offset, offset + chunk);
        if (!res.write(piece)) await new Promise((resolve) => res.once('drain', resolve));
        await this.afterChunk?.(path, offset + piece.length);
        if (res.destroyed) return;
      }
      res.end();
    })();
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: Buffer): void {
  res.writeHead(status, { ...headers, 'content-length': String(body?.length ?? 0) });
  res.end(body);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}
