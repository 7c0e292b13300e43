// Cross-checks the cache with the real huggingface_hub, when a Python with it is available (LENS_PYTHON, else
// python3): Python's downloads are used by us offline, and ours by Python offline. Skipped otherwise.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadModel } from '../../src/core/hub';
import { FakeHub, fixtureRepo, sha256 } from '../unit/hub/fake-hub';

const PYTHON = process.env['LENS_PYTHON'] ?? 'python3';
const COMMIT = 'f'.repeat(8) + '0123456789abcdef0123456789abcdef';
const FILES = ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt', 'special_tokens_map.json', 'tokenizer_config.json'];

function hasHuggingfaceHub(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import huggingface_hub'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Asynchronous, so the fake hub in this process keeps answering while Python runs. */
function python(code: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ['-c', code], { env, timeout: 60_000 }, (error, stdout, stderr) =>
      error === null ? resolve(stdout) : reject(new Error(`${error.message}\n${stderr.slice(-2000)}`)),
    );
  });
}

describe('hub cache shared with Python huggingface_hub', function () {
  let hub: FakeHub;
  let cacheDir: string;
  let env: NodeJS.ProcessEnv;

  before(function () {
    if (!hasHuggingfaceHub()) this.skip();
  });

  beforeEach(async () => {
    // huggingface_hub follows redirects within one host name, so the CDN must have another name than the hub.
    hub = new FakeHub('localhost');
    hub.addRepo(fixtureRepo('py-org/tiny', COMMIT));
    hub.addRepo(fixtureRepo('node-org/tiny', COMMIT));
    await hub.start();
    cacheDir = await mkdtemp(join(tmpdir(), 'lens-hub-py-'));
    env = {
      PATH: process.env['PATH'] ?? '',
      HOME: cacheDir,
      HF_ENDPOINT: hub.hubUrl,
      HF_HUB_CACHE: cacheDir,
      HF_HOME: cacheDir,
      HF_HUB_DISABLE_TELEMETRY: '1',
    };
  });

  afterEach(async () => {
    await hub?.close();
    if (cacheDir !== undefined) await rm(cacheDir, { recursive: true, force: true });
  });

  it('uses files Python downloaded, without the network', async () => {
    await python(
      `from huggingface_hub import hf_hub_download\nfor f in ${JSON.stringify(FILES)}:\n    hf_hub_download('py-org/tiny', f)`,
      env,
    );
    const before = hub.requests.length;
    const result = await downloadModel('py-org/tiny', { cacheDir, offline: true, env: {}, token: null });
    assert.equal(result.commit, COMMIT);
    assert.deepEqual([...result.files].sort(), [...FILES].sort());
    assert.equal(hub.requests.length, before);
  });

  it('gives Python the files we downloaded, without the network', async () => {
    const ours = await downloadModel('node-org/tiny', { cacheDir, endpoint: hub.hubUrl, env: {}, token: null });
    const out = await python(
      [
        'import hashlib',
        'from huggingface_hub import hf_hub_download, scan_cache_dir',
        "p = hf_hub_download('node-org/tiny', 'model.safetensors', local_files_only=True)",
        "print(p); print(hashlib.sha256(open(p, 'rb').read()).hexdigest())",
        'info = scan_cache_dir()',
        'print(len(info.warnings))',
        "print([(rv.commit_hash, sorted(rv.refs), rv.nb_files) for r in info.repos if r.repo_id == 'node-org/tiny' for rv in r.revisions])",
      ].join('\n'),
      { ...env, HF_HUB_OFFLINE: '1' },
    );
    const [path, digest, warnings, revisions] = out.trim().split('\n');
    assert.equal(path, join(ours.snapshotDir, 'model.safetensors'));
    assert.equal(digest, sha256(fixtureRepo('node-org/tiny', COMMIT).files.get('model.safetensors')?.content ?? Buffer.alloc(0)));
    assert.equal(warnings, '0');
    assert.equal(revisions, `[('${COMMIT}', ['main'], ${FILES.length})]`);
  });
});
