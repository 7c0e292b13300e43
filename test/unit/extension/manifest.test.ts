// The manifest's promises about workspaces and activation, checked against what it contributes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Manifest {
  readonly activationEvents: readonly string[];
  readonly capabilities: { readonly untrustedWorkspaces: { readonly restrictedConfigurations: readonly string[] } };
  readonly contributes: { readonly configuration: { readonly properties: Record<string, { readonly markdownDescription?: string }> } };
  readonly repository?: unknown;
}

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as Manifest;

describe('extension manifest', () => {
  it('keeps every setting that names a model (a folder the engine reads) out of untrusted workspaces', () => {
    const models = Object.keys(manifest.contributes.configuration.properties).filter((key) => /Model$|modelPath$/.test(key));
    assert.ok(models.length >= 4, `model settings found: ${models.join(', ')}`);
    assert.deepEqual([...manifest.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), models.sort());
  });

  it('activates only for the documents it works on and its own panel (commands activate it implicitly)', () => {
    assert.deepEqual(manifest.activationEvents, ['onLanguage:plaintext', 'onLanguage:markdown', 'onWebviewPanel:longformerLens.overlay']);
  });

  it('names no made-up repository (there is no public one yet)', () => {
    assert.equal(manifest.repository, undefined);
  });
});
