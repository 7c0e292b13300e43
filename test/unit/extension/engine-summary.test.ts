import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRECISION_SETTINGS, precisionSetting, ranOnLabel, ranOnLines } from '../../../src/extension/engine-summary';

describe('engine summary (status bar)', () => {
  it('reads the precision setting; anything unknown is fp32', () => {
    assert.equal(precisionSetting('fp16'), 'fp16');
    assert.equal(precisionSetting('fp32'), 'fp32');
    assert.equal(precisionSetting('int8'), 'int8');
    for (const odd of ['FP16', 'int4', '', undefined, 16]) assert.equal(precisionSetting(odd), 'fp32', String(odd));
  });

  it("offers exactly package.json's enum", () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { enum?: string[]; default?: string }> } };
    };
    const setting = manifest.contributes.configuration.properties['longformerLens.precision'];
    assert.deepEqual(setting?.enum, [...PRECISION_SETTINGS]);
    assert.equal(setting?.default, 'fp32');
  });

  it('names the precision beside the provider when it is not fp32, and gives both reasons in the tooltip', () => {
    assert.equal(ranOnLabel({ provider: 'cpu', precision: 'fp32' }), 'cpu');
    assert.equal(ranOnLabel({ provider: 'webgpu', precision: 'fp16' }), 'webgpu fp16');
    assert.equal(ranOnLabel({ provider: 'cpu', precision: 'int8' }), 'cpu int8');
    assert.deepEqual(ranOnLines({ provider: 'webgpu', precision: 'fp16' }), ['Provider: webgpu', 'Precision: fp16']);
    assert.deepEqual(
      ranOnLines({
        provider: 'cpu',
        providerNote: 'auto passed over WebGPU: a software adapter',
        precision: 'fp32',
        precisionNote: 'fp16 not run: fp16 runs on GPU providers only; ran fp32.',
      }),
      [
        'Provider: cpu (auto passed over WebGPU: a software adapter)',
        'Precision: fp32 (fp16 not run: fp16 runs on GPU providers only; ran fp32.)',
      ],
    );
  });
});
