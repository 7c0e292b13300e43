// The `download` verb, `--model` resolution of repo ids, and two processes downloading the same file at once.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerDownload, type DownloadIo } from '../../src/cli/commands/download';
import { resolveModelArg } from '../../src/cli/model-arg';
import { LensError } from '../../src/core/errors';
import { blobName, FakeHub, fixtureRepo } from '../unit/hub/fake-hub';

const COMMIT = 'b'.repeat(8) + '0123456789abcdef0123456789abcdef';
const REPO = 'tiny-org/longformer-tiny';
const TOKEN = 'hf_CliSecretToken1234567890abc';

describe('hub from the command line', () => {
  let hub: FakeHub;
  let cacheDir: string;

  beforeEach(async () => {
    hub = new FakeHub();
    hub.addRepo(fixtureRepo(REPO, COMMIT));
    hub.addRepo(fixtureRepo('gated-org/tiny', COMMIT, { gatedToken: TOKEN }));
    await hub.start();
    cacheDir = await mkdtemp(join(tmpdir(), 'lens-hub-cli-'));
  });

  afterEach(async () => {
    await hub.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  async function runDownload(args: string[], isTTY: boolean, env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io: DownloadIo = {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      isTTY,
      env: { HF_ENDPOINT: hub.hubUrl, ...env },
    };
    const program = new Command('longformer-lens').exitOverride();
    registerDownload(program, io);
    await program.parseAsync(['download', ...args], { from: 'user' });
    return { stdout, stderr };
  }

  it('prints the snapshot folder on stdout and one plain line per file when not on a terminal', async () => {
    const { stdout, stderr } = await runDownload([REPO, '--cache', cacheDir], false);
    const snapshot = join(cacheDir, 'models--tiny-org--longformer-tiny', 'snapshots', COMMIT);
    assert.equal(stdout, `${snapshot}\n`);
    assert.ok(!stderr.includes('\r'));
    assert.match(stderr, /^model\.safetensors: downloaded 129\.2 kB$/m);
    assert.match(stderr, new RegExp(`is commit ${COMMIT}\\.`));
    const again = await runDownload([`${REPO}@main`, '--cache', cacheDir], false);
    assert.equal(again.stdout, stdout);
    assert.match(again.stderr, /model\.safetensors: in the cache/);
  });

  it('downloads a pull-request revision (refs/pr/4) and --model finds it again', async () => {
    const prCommit = 'd'.repeat(8) + '0123456789abcdef0123456789abcdef';
    hub.addRevision('refs/pr/4', fixtureRepo(REPO, prCommit));
    const { stdout } = await runDownload([`${REPO}@refs/pr/4`, '--cache', cacheDir], false);
    const snapshot = join(cacheDir, 'models--tiny-org--longformer-tiny', 'snapshots', prCommit);
    assert.equal(stdout, `${snapshot}\n`);
    const folder = await resolveModelArg(`${REPO}@refs/pr/4`, { endpoint: hub.hubUrl, cacheDir, env: {}, token: null, offline: true });
    assert.equal(folder, snapshot);
  });

  it('draws a progress bar with carriage returns on a terminal', async () => {
    const { stderr } = await runDownload([REPO, '--cache', cacheDir], true);
    assert.match(stderr, /\rmodel\.safetensors \[#{24}\] 100%/);
  });

  it('reads the token from --token-env and never prints it', async () => {
    const { stdout, stderr } = await runDownload(['gated-org/tiny', '--cache', cacheDir, '--token-env', 'MY_HF'], false, { MY_HF: TOKEN });
    assert.ok(existsSync(join(stdout.trim(), 'model.safetensors')));
    assert.ok(!stdout.includes(TOKEN) && !stderr.includes(TOKEN));
    assert.ok(hub.requests.some((request) => request.authorization === `Bearer ${TOKEN}`));
    await assert.rejects(
      runDownload(['gated-org/tiny', '--cache', join(cacheDir, 'other'), '--token-env', 'UNSET_VAR'], false),
      (error: unknown) => error instanceof LensError && error.code === 'BAD_ARGUMENT' && /UNSET_VAR/.test(error.message),
    );
    await assert.rejects(
      runDownload(['gated-org/tiny', '--cache', join(cacheDir, 'other')], false),
      (error: unknown) => error instanceof LensError && /gated/.test(error.message),
    );
  });

  it('accepts a folder or a repo id for --model', async () => {
    const fixture = join(__dirname, '..', 'fixtures', 'longformer-ref', 'base-tiny');
    assert.equal(await resolveModelArg(fixture), fixture);
    const options = { endpoint: hub.hubUrl, cacheDir, env: {}, token: null, onProgress: () => undefined };
    const folder = await resolveModelArg(`${REPO}@main`, options);
    assert.equal(folder, join(cacheDir, 'models--tiny-org--longformer-tiny', 'snapshots', COMMIT));
    assert.ok(existsSync(join(folder, 'config.json')));
    const offline = await resolveModelArg(REPO, { ...options, offline: true });
    assert.equal(offline, folder);
    await assert.rejects(
      resolveModelArg('other-org/absent', { ...options, offline: true }),
      (error: unknown) => error instanceof LensError && error.code === 'OFFLINE',
    );
    await assert.rejects(
      resolveModelArg('./no/such/folder', options),
      (error: unknown) => error instanceof LensError && error.code === 'NOT_FOUND',
    );
    await assert.rejects(
      resolveModelArg('nosuchthing', options),
      (error: unknown) => error instanceof LensError && /no such folder, and no hub repository/.test(error.message),
    );
  });

  it('lets two processes download the same file into one correct blob', async () => {
    // Hold the weights until both processes have asked the hub about them, so their downloads overlap.
    const headsOfWeights = (): number =>
      hub.requests.filter((request) => request.method === 'HEAD' && request.url.endsWith('/model.safetensors')).length;
    hub.beforeContent = async (path) => {
      for (let i = 0; path === 'model.safetensors' && headsOfWeights() < 2 && i < 500; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const child = join(__dirname, '..', 'unit', 'hub', 'download-child.ts');
    const run = (): Promise<string> =>
      new Promise((resolve, reject) => {
        execFile(
          process.execPath,
          ['--require', 'tsx/cjs', child, hub.hubUrl, cacheDir, REPO],
          { cwd: join(__dirname, '..', '..'), timeout: 60_000 },
          (error, stdout, stderr) => {
            if (error !== null) reject(new Error(`${error.message}\n${stderr}`));
            else resolve(stdout);
          },
        );
      });
    const [first, second] = await Promise.all([run(), run()]);
    const a = JSON.parse(first) as { snapshotDir: string };
    const b = JSON.parse(second) as { snapshotDir: string };
    assert.equal(a.snapshotDir, b.snapshotDir);
    assert.equal(headsOfWeights(), 2);
    const gets = hub.requests.filter((request) => request.origin === 'cdn' && request.url.endsWith('/model.safetensors'));
    assert.equal(gets.length, 1, 'one process downloaded, the other waited for the lock');
    const weights = fixtureRepo(REPO, COMMIT).files.get('model.safetensors') ?? assert.fail();
    const blobs = join(cacheDir, 'models--tiny-org--longformer-tiny', 'blobs');
    assert.deepEqual(readFileSync(join(blobs, blobName(weights))), weights.content);
    assert.deepEqual(
      readdirSync(blobs).filter((name) => name.endsWith('.incomplete')),
      [],
    );
  });
});
