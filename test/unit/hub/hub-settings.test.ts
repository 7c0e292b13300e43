import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ENDPOINT, resolveHubSettings } from '../../../src/core/hub/hub-settings';

describe('hub settings', () => {
  const home = mkdtempSync(join(tmpdir(), 'lens-hf-home-'));
  after(() => rmSync(home, { recursive: true, force: true }));

  it('reads HF_ENDPOINT and HF_HUB_OFFLINE', () => {
    assert.equal(resolveHubSettings({ env: { HF_HOME: home } }).endpoint, DEFAULT_ENDPOINT);
    assert.equal(
      resolveHubSettings({ env: { HF_HOME: home, HF_ENDPOINT: 'https://hf-mirror.example/' } }).endpoint,
      'https://hf-mirror.example',
    );
    assert.equal(resolveHubSettings({ env: { HF_HOME: home, HF_HUB_OFFLINE: 'true' } }).offline, true);
    assert.equal(resolveHubSettings({ env: { HF_HOME: home, HF_HUB_OFFLINE: '0' } }).offline, false);
    assert.equal(resolveHubSettings({ env: { HF_HOME: home, HF_HUB_OFFLINE: '1' }, offline: false }).offline, false);
  });

  it('takes the token from the caller, then HF_TOKEN, then the token file of `hf auth login`', () => {
    assert.equal(resolveHubSettings({ env: { HF_HOME: home } }).token, undefined);
    writeFileSync(join(home, 'token'), 'hf_fromfile\n');
    assert.equal(resolveHubSettings({ env: { HF_HOME: home } }).token, 'hf_fromfile');
    assert.equal(resolveHubSettings({ env: { HF_HOME: home, HF_TOKEN: 'hf_fromenv' } }).token, 'hf_fromenv');
    assert.equal(resolveHubSettings({ env: { HF_HOME: home, HF_TOKEN: 'hf_fromenv' }, token: 'hf_caller' }).token, 'hf_caller');
    assert.equal(resolveHubSettings({ env: { HF_HOME: home, HF_TOKEN: 'hf_fromenv' }, token: null }).token, undefined);
  });
});
