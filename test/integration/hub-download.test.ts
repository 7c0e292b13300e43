// Downloads against a local fake hub: cache layout, reuse, resume, corruption, offline, Python caches, concurrency,
// tokens and errors.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LensError } from '../../src/core/errors';
import { downloadModel, resolveModel, type DownloadOptions, type DownloadProgress } from '../../src/core/hub';
import { blobName, FakeHub, fixtureRepo, sha256, type FakeRepo } from '../unit/hub/fake-hub';

const COMMIT = 'a'.repeat(8) + '0123456789abcdef0123456789abcdef';
const REPO = 'tiny-org/longformer-tiny';
const NEEDED = ['config.json', 'vocab.json', 'merges.txt', 'special_tokens_map.json', 'tokenizer_config.json', 'model.safetensors'];

function lensError(code: LensError['code'], pattern?: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof LensError, `expected a LensError, got ${String(error)}`);
    assert.equal(error.code, code, error.describe());
    if (pattern !== undefined) assert.match(error.describe(), pattern);
    return true;
  };
}

describe('hub downloads (fake hub on 127.0.0.1)', () => {
  let hub: FakeHub;
  let cacheDir: string;
  let repo: FakeRepo;
  let logs: string[];
  let events: DownloadProgress[];

  const options = (extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
    endpoint: hub.hubUrl,
    cacheDir,
    env: {},
    token: null,
    log: (line) => logs.push(line),
    onProgress: (event) => events.push(event),
    ...extra,
  });
  const repoDir = (): string => join(cacheDir, 'models--tiny-org--longformer-tiny');
  const content = (path: string): Buffer => {
    const file = repo.files.get(path);
    assert.ok(file !== undefined);
    return file.content;
  };
  // The client may lose bytes still in its receive buffer when the socket dies; wait until they reach the disk.
  const waitForIncomplete = async (path: string, bytes: number): Promise<void> => {
    const incomplete = `${blobOf(path)}.incomplete`;
    for (let i = 0; i < 500; i += 1) {
      if (existsSync(incomplete) && statSync(incomplete).size >= bytes) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const blobOf = (path: string): string => {
    const file = repo.files.get(path);
    assert.ok(file !== undefined);
    return join(repoDir(), 'blobs', blobName(file));
  };

  beforeEach(async () => {
    hub = new FakeHub();
    repo = fixtureRepo(REPO, COMMIT);
    hub.addRepo(repo);
    await hub.start();
    cacheDir = await mkdtemp(join(tmpdir(), 'lens-hub-'));
    logs = [];
    events = [];
  });

  afterEach(async () => {
    await hub.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('downloads config, tokenizer and safetensors weights into the huggingface_hub layout', async () => {
    const result = await downloadModel(REPO, options());
    assert.equal(result.commit, COMMIT);
    assert.equal(result.snapshotDir, join(repoDir(), 'snapshots', COMMIT));
    assert.deepEqual([...result.files].sort(), [...NEEDED].sort());
    assert.equal(result.fromCache, false);
    // Not needed for inference, so not fetched: the other weight format, README, .gitattributes.
    assert.ok(!existsSync(join(result.snapshotDir, 'pytorch_model.bin')));
    assert.ok(!existsSync(join(result.snapshotDir, 'README.md')));
    for (const path of NEEDED) {
      const pointer = join(result.snapshotDir, path);
      assert.ok(lstatSync(pointer).isSymbolicLink(), `${path} is a symlink`);
      const file = repo.files.get(path);
      assert.ok(file !== undefined);
      assert.equal(readlinkSync(pointer), join('..', '..', 'blobs', blobName(file)));
      assert.deepEqual(readFileSync(pointer), file.content);
    }
    // LFS blobs are named by their SHA-256, small files by their git blob id; refs/main holds the commit.
    assert.equal(blobName(repo.files.get('model.safetensors') ?? assert.fail()), sha256(content('model.safetensors')));
    assert.equal(readFileSync(join(repoDir(), 'refs', 'main'), 'utf8'), COMMIT);
    assert.deepEqual(
      readdirSync(join(repoDir(), 'blobs')).filter((name) => name.endsWith('.incomplete')),
      [],
    );
    // The weights came from the CDN origin, after a HEAD on the hub that did not follow the redirect.
    const weightRequests = hub.requests.filter((request) => request.url.includes('model.safetensors'));
    assert.deepEqual(
      weightRequests.map((request) => `${request.origin} ${request.method}`),
      ['hub HEAD', 'cdn GET'],
    );
    const last = events.filter((event) => event.file === 'model.safetensors').at(-1);
    assert.equal(last?.bytesDone, content('model.safetensors').length);
    assert.equal(last?.bytesTotal, content('model.safetensors').length);
  });

  it('answers a second call from the cache without asking for any file', async () => {
    await downloadModel(REPO, options());
    const before = hub.fileRequests().length;
    const again = await downloadModel(REPO, options());
    assert.equal(again.fromCache, true);
    assert.equal(hub.fileRequests().length, before);
    // Pinned to a commit, not even the file list is needed.
    const total = hub.requests.length;
    const pinned = await downloadModel(`${REPO}@${COMMIT}`, options());
    assert.equal(pinned.snapshotDir, again.snapshotDir);
    assert.equal(hub.requests.length, total);
  });

  it('resumes with a Range request after the connection dropped half-way', async () => {
    const size = content('model.safetensors').length;
    const half = Math.floor(size / 2);
    hub.dropAfter.set('model.safetensors', half);
    hub.beforeDrop = (path, sent) => waitForIncomplete(path, sent);
    const incomplete = `${blobOf('model.safetensors')}.incomplete`;
    await assert.rejects(
      downloadModel(REPO, options({ retries: 0 })),
      lensError('HUB_ERROR', /connection dropped after \d+ of \d+ bytes of model\.safetensors.*resumes/),
    );
    const kept = statSync(incomplete).size;
    assert.equal(kept, half);
    assert.ok(!existsSync(blobOf('model.safetensors')));

    const result = await downloadModel(REPO, options({ retries: 0 }));
    const resumed = hub.requests.filter((request) => request.origin === 'cdn' && request.range !== undefined);
    assert.deepEqual(
      resumed.map((request) => request.range),
      [`bytes=${kept}-`],
    );
    assert.deepEqual(readFileSync(join(result.snapshotDir, 'model.safetensors')), content('model.safetensors'));
    assert.ok(!existsSync(incomplete));
  });

  it('resumes within one call when retries are allowed', async () => {
    hub.dropAfter.set('model.safetensors', 1000);
    hub.beforeDrop = (path, sent) => waitForIncomplete(path, sent);
    const result = await downloadModel(REPO, options());
    assert.deepEqual(readFileSync(join(result.snapshotDir, 'model.safetensors')), content('model.safetensors'));
    assert.ok(hub.requests.some((request) => request.range === 'bytes=1000-'));
  });

  it('never turns corrupted bytes into a blob', async () => {
    hub.corrupt.add('model.safetensors');
    await assert.rejects(
      downloadModel(REPO, options()),
      lensError('HUB_ERROR', /model\.safetensors is corrupted: its SHA-256 is [0-9a-f]{64}, the hub announced [0-9a-f]{64}.*deleted/),
    );
    assert.ok(!existsSync(blobOf('model.safetensors')));
    assert.ok(!existsSync(`${blobOf('model.safetensors')}.incomplete`));
    assert.ok(!existsSync(join(repoDir(), 'snapshots', COMMIT, 'model.safetensors')));
    // Once the bytes are right again, the same call succeeds.
    hub.corrupt.clear();
    const result = await downloadModel(REPO, options());
    assert.deepEqual(readFileSync(join(result.snapshotDir, 'model.safetensors')), content('model.safetensors'));
  });

  it('works offline from the cache and says what is missing otherwise, without touching the network', async () => {
    await assert.rejects(
      downloadModel(REPO, options({ offline: true })),
      lensError('OFFLINE', /not available offline.*Unset HF_HUB_OFFLINE/),
    );
    // HF_HUB_OFFLINE in the environment means the same.
    await assert.rejects(downloadModel(REPO, options({ env: { HF_HUB_OFFLINE: '1' } })), lensError('OFFLINE'));
    assert.equal(hub.requests.length, 0);
    const online = await downloadModel(REPO, options());
    const count = hub.requests.length;
    const offline = await downloadModel(REPO, options({ env: { HF_HUB_OFFLINE: '1' } }));
    assert.equal(offline.snapshotDir, online.snapshotDir);
    assert.equal(offline.commit, COMMIT);
    assert.equal(hub.requests.length, count);
  });

  it('falls back to the cache when the hub cannot be reached', async () => {
    await downloadModel(REPO, options());
    const endpoint = hub.hubUrl;
    await hub.close();
    const result = await downloadModel(REPO, options({ endpoint }));
    assert.equal(result.commit, COMMIT);
    hub = new FakeHub();
    await hub.start(); // for afterEach
    await assert.rejects(
      downloadModel('tiny-org/never-cached', options({ endpoint })),
      lensError('HUB_ERROR', /Could not reach.*HF_HUB_OFFLINE=1/),
    );
  });

  it('reuses a cache laid out by Python huggingface_hub', async () => {
    // What `snapshot_download` leaves behind: blobs named by etag, relative symlinks, refs/main.
    const commit = COMMIT;
    const snapshot = join(repoDir(), 'snapshots', commit);
    await mkdir(join(repoDir(), 'blobs'), { recursive: true });
    await mkdir(join(repoDir(), 'refs'), { recursive: true });
    await mkdir(snapshot, { recursive: true });
    await writeFile(join(repoDir(), 'refs', 'main'), commit);
    for (const path of [...NEEDED, 'pytorch_model.bin']) {
      const file = repo.files.get(path) ?? assert.fail();
      await writeFile(join(repoDir(), 'blobs', blobName(file)), file.content);
      await symlink(join('..', '..', 'blobs', blobName(file)), join(snapshot, path));
    }
    const offline = await downloadModel(REPO, options({ offline: true }));
    assert.equal(offline.snapshotDir, snapshot);
    assert.ok(offline.files.includes('model.safetensors'));
    assert.equal(hub.requests.length, 0);
    const online = await downloadModel(REPO, options());
    assert.equal(online.snapshotDir, snapshot);
    assert.deepEqual(hub.fileRequests(), []);
  });

  it('lets two parallel downloads of one file produce one correct blob', async () => {
    // Hold the first weight transfer until both clients have asked the hub about the file.
    let heads = 0;
    let release: () => void = () => undefined;
    const bothAsked = new Promise<void>((resolve) => (release = resolve));
    hub.beforeContent = async (path) => {
      if (path !== 'model.safetensors') return;
      heads = hub.requests.filter((request) => request.method === 'HEAD' && request.url.endsWith('/model.safetensors')).length;
      if (heads < 2) await Promise.race([bothAsked, new Promise((resolve) => setTimeout(resolve, 5000))]);
    };
    const watcher = setInterval(() => {
      if (hub.requests.filter((request) => request.method === 'HEAD' && request.url.endsWith('/model.safetensors')).length >= 2) release();
    }, 20);
    try {
      const [first, second] = await Promise.all([downloadModel(REPO, options()), downloadModel(REPO, options())]);
      assert.equal(first.snapshotDir, second.snapshotDir);
    } finally {
      clearInterval(watcher);
    }
    const gets = hub.requests.filter((request) => request.origin === 'cdn' && request.url.endsWith('/model.safetensors'));
    assert.equal(gets.length, 1, 'the second client waited for the lock and found the blob');
    assert.deepEqual(readFileSync(blobOf('model.safetensors')), content('model.safetensors'));
    assert.deepEqual(
      readdirSync(join(repoDir(), 'blobs')).filter((name) => name.endsWith('.incomplete')),
      [],
    );
  });

  it('takes over a lock left by a crashed process, and waits for a live one only until cancelled', async () => {
    const weights = repo.files.get('model.safetensors') ?? assert.fail();
    const lock = join(cacheDir, '.locks', 'models--tiny-org--longformer-tiny', `${blobName(weights)}.lens-lock`);
    await mkdir(lock, { recursive: true });
    // A live holder refreshes the lock's mtime; this one does not exist, so a waiting client can only give up.
    const controller = new AbortController();
    const waiting = downloadModel(
      REPO,
      options({
        signal: controller.signal,
        log: (line) => {
          logs.push(line);
          if (line.startsWith('waiting for another process')) controller.abort();
        },
      }),
    );
    await assert.rejects(waiting, lensError('CANCELLED'));
    assert.ok(!existsSync(blobOf('model.safetensors')));
    // An hour-old lock is stale: its holder died, so the next download takes it over.
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(lock, hourAgo, hourAgo);
    const result = await downloadModel(REPO, options());
    assert.deepEqual(readFileSync(join(result.snapshotDir, 'model.safetensors')), weights.content);
    assert.ok(!existsSync(lock), 'the lock is released after the download');
  });

  it('sends the token to the hub only, and never shows it', async () => {
    const token = 'hf_SecretTokenValue1234567890';
    hub.addRepo(fixtureRepo('gated-org/tiny', COMMIT, { gatedToken: token }));
    await assert.rejects(
      downloadModel('gated-org/tiny', options()),
      lensError('HUB_ERROR', /gated model.*Accept the conditions at .*gated-org\/tiny.*token/),
    );
    const errors: string[] = [];
    await downloadModel('gated-org/tiny', options({ token: 'hf_WrongTokenValue0987654321' })).catch((error: unknown) =>
      errors.push(String(error), (error as LensError).describe()),
    );
    const result = await downloadModel('gated-org/tiny', options({ token }));
    assert.ok(existsSync(join(result.snapshotDir, 'model.safetensors')));
    const fromHub = hub.requests.filter((request) => request.origin === 'hub' && request.url.includes('gated-org'));
    assert.ok(fromHub.some((request) => request.authorization === `Bearer ${token}`));
    assert.ok(hub.requests.filter((request) => request.origin === 'cdn').every((request) => request.authorization === undefined));
    const shown = [...logs, ...errors, ...events.map((event) => JSON.stringify(event)), JSON.stringify(result)].join('\n');
    assert.ok(errors.length > 0 && logs.length > 0 && events.length > 0);
    assert.ok(!shown.includes(token) && !shown.includes('hf_WrongTokenValue0987654321'));
  });

  it('explains missing repositories, revisions and files, and rate limits', async () => {
    await assert.rejects(
      downloadModel('nobody/nothing', options()),
      lensError('NOT_FOUND', /nobody\/nothing was not found.*Check the spelling/),
    );
    await assert.rejects(downloadModel(`${REPO}@no-such-branch`, options()), lensError('NOT_FOUND', /no revision "no-such-branch"/));
    hub.missing.add('vocab.json');
    await assert.rejects(downloadModel(REPO, options()), lensError('NOT_FOUND', /has no file vocab\.json/));
    hub.rateLimitSeconds = 7;
    await assert.rejects(downloadModel(REPO, options()), lensError('HUB_ERROR', /rate-limiting.*Wait 7 s/));
  });

  it('fetches every shard a sharded checkpoint index names', async () => {
    const weights = content('model.safetensors');
    const cut = weights.length >> 1;
    const index = {
      metadata: { total_size: weights.length },
      weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors', c: 'model-00001-of-00002.safetensors' },
    };
    const files = new Map(repo.files);
    files.delete('model.safetensors');
    files.set('model.safetensors.index.json', { content: Buffer.from(JSON.stringify(index)), lfs: false });
    files.set('model-00001-of-00002.safetensors', { content: weights.subarray(0, cut), lfs: true });
    files.set('model-00002-of-00002.safetensors', { content: weights.subarray(cut), lfs: true });
    hub.addRepo({ repoId: 'tiny-org/sharded', commit: COMMIT, files });
    const result = await downloadModel('tiny-org/sharded', options());
    assert.ok(result.files.includes('model.safetensors.index.json'));
    assert.deepEqual(readFileSync(join(result.snapshotDir, 'model-00002-of-00002.safetensors')), weights.subarray(cut));
    assert.ok(!existsSync(join(result.snapshotDir, 'pytorch_model.bin')));
    const offline = await downloadModel('tiny-org/sharded', options({ offline: true }));
    assert.deepEqual([...offline.files].filter((path) => path.startsWith('model')).sort(), [
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      'model.safetensors.index.json',
    ]);
  });

  it('cancels on the signal and keeps the partial file for the next attempt', async () => {
    const controller = new AbortController();
    let firstChunk = 0;
    hub.afterChunk = async (path, sent) => {
      if (path !== 'model.safetensors' || controller.signal.aborted) return;
      firstChunk = sent;
      await waitForIncomplete(path, sent);
      controller.abort();
    };
    await assert.rejects(downloadModel(REPO, options({ signal: controller.signal })), lensError('CANCELLED', /Run it again to resume/));
    const kept = statSync(`${blobOf('model.safetensors')}.incomplete`).size;
    assert.ok(firstChunk > 0 && kept >= firstChunk, `kept ${kept} bytes, first chunk ${firstChunk}`);
    hub.afterChunk = undefined;
    const result = await downloadModel(REPO, options());
    assert.ok(hub.requests.some((request) => request.range === `bytes=${kept}-`));
    assert.deepEqual(readFileSync(join(result.snapshotDir, 'model.safetensors')), content('model.safetensors'));
  });

  it('downloads a revision whose name has slashes (refs/pr/4) and resolves it from the cache offline', async () => {
    // The hub's bots publish safetensors conversions as pull requests: another commit with other files.
    const prCommit = 'c'.repeat(8) + '0123456789abcdef0123456789abcdef';
    const pr = fixtureRepo(REPO, prCommit);
    pr.files.delete('pytorch_model.bin');
    hub.addRevision('refs/pr/4', pr);
    const result = await downloadModel(`${REPO}@refs/pr/4`, options());
    assert.equal(result.snapshotDir, join(repoDir(), 'snapshots', prCommit));
    assert.equal(readFileSync(join(repoDir(), 'refs', 'refs', 'pr', '4'), 'utf8'), prCommit);
    assert.ok(hub.requests.some((request) => request.url.endsWith('/revision/refs%2Fpr%2F4')));
    assert.ok(existsSync(join(result.snapshotDir, 'model.safetensors')));
    // `--model org/name@refs/pr/4` later, offline: the ref leads to the same snapshot, and main stays separate.
    const offline = await resolveModel(`${REPO}@refs/pr/4`, options({ env: { HF_HUB_OFFLINE: '1' } }));
    assert.equal(offline.folder, join(repoDir(), 'snapshots', prCommit));
    await assert.rejects(
      resolveModel(REPO, options({ env: { HF_HUB_OFFLINE: '1' } })),
      lensError('OFFLINE', /no record of revision "main"/),
    );
  });

  it('resolves a folder as itself and a repo id through the cache', async () => {
    const folder = await resolveModel(cacheDir, options());
    assert.deepEqual(folder, { folder: cacheDir, source: 'folder' });
    const model = await resolveModel(REPO, options());
    assert.equal(model.source, 'hub');
    assert.equal(model.folder, join(repoDir(), 'snapshots', COMMIT));
    await assert.rejects(resolveModel('./not/here', options()), lensError('NOT_FOUND', /no such folder/));
  });

  it('takes the endpoint and cache from HF_ENDPOINT and HF_HUB_CACHE', async () => {
    const result = await downloadModel(REPO, { env: { HF_ENDPOINT: hub.hubUrl, HF_HUB_CACHE: cacheDir, HF_HOME: cacheDir } });
    assert.equal(result.snapshotDir, join(repoDir(), 'snapshots', COMMIT));
  });
});
