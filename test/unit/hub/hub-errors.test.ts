import assert from 'node:assert/strict';
import { explainHubFailure, explainNetworkFailure, type HubFailure } from '../../../src/core/hub/hub-errors';
import { makeRedactor } from '../../../src/core/hub/redact';

const base: HubFailure = {
  status: 404,
  errorCode: undefined,
  serverMessage: undefined,
  retryAfterSeconds: undefined,
  endpoint: 'https://huggingface.co',
  repoId: 'org/name',
  revision: 'main',
  path: undefined,
  sentToken: false,
};
const redact = makeRedactor(['hf_secret123456789']);

describe('hub error wording', () => {
  it('explains each hub error code with the next step', () => {
    const gated = explainHubFailure({ ...base, status: 401, errorCode: 'GatedRepo' }, redact);
    assert.match(gated.describe(), /gated model.*Accept the conditions at https:\/\/huggingface\.co\/org\/name.*token/);
    const missing = explainHubFailure({ ...base, status: 401, errorCode: 'RepoNotFound' }, redact);
    assert.equal(missing.code, 'NOT_FOUND');
    assert.match(missing.describe(), /org\/name was not found.*private or gated, pass an access token/);
    const refused = explainHubFailure({ ...base, status: 403, sentToken: true }, redact);
    assert.match(refused.describe(), /token that was sent was refused/);
    const entry = explainHubFailure({ ...base, errorCode: 'EntryNotFound', path: 'vocab.json' }, redact);
    assert.match(entry.message, /org\/name@main has no file vocab\.json/);
    const revision = explainHubFailure({ ...base, errorCode: 'RevisionNotFound', revision: 'v9' }, redact);
    assert.match(revision.message, /no revision "v9"/);
    const limited = explainHubFailure({ ...base, status: 429, retryAfterSeconds: 30 }, redact);
    assert.match(limited.describe(), /rate-limiting.*Wait 30 s.*access token/);
    assert.match(explainHubFailure({ ...base, status: 503 }, redact).describe(), /HTTP 503.*try again later/);
  });

  it('redacts tokens from server text and library errors', () => {
    const echoed = explainHubFailure(
      { ...base, status: 400, serverMessage: 'bad header Authorization: Bearer hf_secret123456789' },
      redact,
    );
    assert.ok(!echoed.describe().includes('hf_secret123456789'));
    const network = explainNetworkFailure(
      new Error('connect failed for hf_secret123456789 and hf_OtherLookingToken99'),
      'https://huggingface.co',
      'reach huggingface.co',
      redact,
    );
    assert.ok(!network.describe().includes('hf_secret123456789'));
    assert.ok(!network.describe().includes('hf_OtherLookingToken99'));
    assert.match(network.describe(), /HF_HUB_OFFLINE=1/);
  });
});
