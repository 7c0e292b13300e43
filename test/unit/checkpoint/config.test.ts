// config.json validation: the fixtures parse, defaults follow HuggingFace, and every error names field and file.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLensError } from '../../../src/core/errors';
import { parseLongformerConfig } from '../../../src/core/checkpoint/config';
import { FIXTURES } from './support/checkpoint-files';

function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, name, 'config.json'), 'utf8')) as Record<string, unknown>;
}

function badConfig(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isLensError(error), `expected a LensError, got ${String(error)}`);
    assert.equal(error.code, 'BAD_CONFIG');
    assert.match(error.message, /^my\/config\.json: /, 'names the file');
    assert.match(error.message, pattern);
    return true;
  };
}

const parse = (json: unknown) => parseLongformerConfig(json, 'my/config.json');

describe('config.json parser', () => {
  it('reads the fixtures', () => {
    const base = parse(fixtureJson('base-tiny'));
    assert.equal(base.architecture, 'LongformerModel');
    assert.equal(base.head, 'base');
    assert.deepEqual(base.attentionWindow, [4, 8]);
    assert.deepEqual(base.attentionDilation, [1, 1]);
    assert.deepEqual(
      [base.vocabSize, base.hiddenSize, base.numHiddenLayers, base.numAttentionHeads, base.intermediateSize, base.maxPositionEmbeddings],
      [120, 32, 2, 4, 64, 80],
    );
    assert.deepEqual([base.padTokenId, base.bosTokenId, base.eosTokenId, base.sepTokenId, base.typeVocabSize], [1, 0, 2, 2, 1]);
    assert.equal(base.layerNormEps, 1e-5);
    assert.equal(base.hiddenAct, 'gelu');
    assert.deepEqual(base.id2label, []);

    const cls = parse(fixtureJson('cls-tiny'));
    assert.equal(cls.head, 'sequence-classification');
    assert.deepEqual(cls.id2label, ['negative', 'neutral', 'positive']);
    assert.equal(parse(fixtureJson('qa-tiny')).head, 'question-answering');
  });

  it('maps every supported architecture to its head and refuses others by name', () => {
    const heads: Array<[string, string]> = [
      ['LongformerModel', 'base'],
      ['LongformerForSequenceClassification', 'sequence-classification'],
      ['LongformerForQuestionAnswering', 'question-answering'],
      ['LongformerForTokenClassification', 'token-classification'],
      ['LongformerForMaskedLM', 'masked-lm'],
    ];
    for (const [architecture, head] of heads) {
      assert.equal(parse({ ...fixtureJson('base-tiny'), architectures: [architecture] }).head, head);
    }
    assert.equal(parse({ ...fixtureJson('base-tiny'), architectures: undefined }).architecture, 'LongformerModel');
    assert.throws(
      () => parse({ ...fixtureJson('base-tiny'), architectures: ['LongformerForMultipleChoice'] }),
      badConfig(/architectures\[0\] is "LongformerForMultipleChoice"/),
    );
    assert.throws(() => parse({ ...fixtureJson('base-tiny'), model_type: 'bert' }), badConfig(/model_type is "bert"/));
  });

  it("reads a config without architectures with the head of the task, as that task's Auto class would", () => {
    const unnamed = { ...fixtureJson('base-tiny'), architectures: undefined };
    const bare = parse(unnamed);
    assert.deepEqual([bare.architecture, bare.head, bare.autoClass], ['LongformerModel', 'base', 'AutoModel']);
    const qa = parseLongformerConfig(unnamed, 'my/config.json', 'question-answering');
    assert.deepEqual(
      [qa.architecture, qa.head, qa.autoClass],
      ['LongformerForQuestionAnswering', 'question-answering', 'AutoModelForQuestionAnswering'],
    );
    // A classifier built for the task gets HuggingFace's default labels when the config has none.
    const cls = parseLongformerConfig({ ...unnamed, num_labels: 3 }, 'my/config.json', 'sequence-classification');
    assert.deepEqual([cls.architecture, cls.id2label], ['LongformerForSequenceClassification', ['LABEL_0', 'LABEL_1', 'LABEL_2']]);
    // A config that names its class keeps it whatever the task asks for; the task's head check refuses a mismatch.
    const named = parseLongformerConfig(
      { ...fixtureJson('base-tiny'), architectures: ['LongformerForMaskedLM'] },
      'my/config.json',
      'question-answering',
    );
    assert.deepEqual([named.architecture, named.head, named.autoClass], ['LongformerForMaskedLM', 'masked-lm', undefined]);
  });

  it('expands a single attention window to every layer and orders id2label by index', () => {
    const config = parse({
      ...fixtureJson('cls-tiny'),
      attention_window: 16,
      num_hidden_layers: 3,
      id2label: { '2': 'c', '0': 'a', '1': 'b' },
    });
    assert.deepEqual(config.attentionWindow, [16, 16, 16]);
    assert.deepEqual(config.attentionDilation, [1, 1, 1]);
    assert.deepEqual(config.id2label, ['a', 'b', 'c']);
  });

  it('reads per-layer dilation', () => {
    assert.deepEqual(parse({ ...fixtureJson('base-tiny'), attention_dilation: [1, 3] }).attentionDilation, [1, 3]);
    assert.deepEqual(parse({ ...fixtureJson('base-tiny'), attention_dilation: 2 }).attentionDilation, [2, 2]);
    assert.throws(() => parse({ ...fixtureJson('base-tiny'), attention_dilation: [1, 0] }), badConfig(/attention_dilation\[1\] is 0/));
  });

  it('refuses odd, zero and non-integer attention windows, naming the entry', () => {
    assert.throws(
      () => parse({ ...fixtureJson('base-tiny'), attention_window: [4, 7] }),
      badConfig(/attention_window\[1\] is 7; each attention window must be an even positive integer/),
    );
    assert.throws(() => parse({ ...fixtureJson('base-tiny'), attention_window: 5 }), badConfig(/attention_window is 5/));
    assert.throws(() => parse({ ...fixtureJson('base-tiny'), attention_window: [0, 4] }), badConfig(/attention_window\[0\] is 0/));
    assert.throws(() => parse({ ...fixtureJson('base-tiny'), attention_window: [4.5, 4] }), badConfig(/attention_window\[0\] is 4\.5/));
    assert.throws(
      () => parse({ ...fixtureJson('base-tiny'), attention_window: ['4', 4] }),
      badConfig(/attention_window\[0\] is not a number/),
    );
  });

  it('refuses a window list whose length is not the layer count', () => {
    assert.throws(
      () => parse({ ...fixtureJson('base-tiny'), attention_window: [4, 4, 4] }),
      badConfig(/attention_window has 3 entries but num_hidden_layers is 2/),
    );
  });

  it('refuses sizes that are valid alone but cannot be built together (the config fuzz cases)', () => {
    // base-tiny (2 layers, pad_token_id 1) with 64 positions and a window of 6.
    const base = { ...fixtureJson('base-tiny'), max_position_embeddings: 64, attention_window: 6 };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ attention_window: 1_048_576 }, /attention_window is 1048576, wider than max_position_embeddings \(64\)/],
      [{ attention_window: 2 ** 53 }, /attention_window is 9007199254740992, wider than max_position_embeddings \(64\)/],
      [{ attention_window: [6, 2 ** 53] }, /attention_window\[1\] is 9007199254740992, wider than max_position_embeddings \(64\)/],
      [{ attention_window: 66 }, /attention_window is 66, wider than max_position_embeddings \(64\)/],
      [
        { attention_dilation: [1, 2 ** 30] },
        /attention_dilation\[1\] is 1073741824: with attention_window 6 it spans 6442450944 positions/,
      ],
      [
        { attention_dilation: 11 },
        /attention_dilation is 11: with attention_window 6 it spans 66 positions, more than max_position_embeddings \(64\)/,
      ],
      [{ max_position_embeddings: 2 }, /max_position_embeddings \(2\) leaves no position for a token/],
      [{ attention_dilation: 0 }, /attention_dilation is 0; a dilation must be an integer >= 1/],
    ];
    for (const [change, pattern] of cases) {
      assert.throws(() => parse({ ...base, ...change }), badConfig(pattern), JSON.stringify(change));
    }
    // The largest that can be built still parses: a window as wide as the positions, dilation that just fits.
    assert.doesNotThrow(() => parse({ ...base, attention_window: 64 }));
    assert.doesNotThrow(() => parse({ ...base, attention_dilation: 10 }));
  });

  it('refuses heads that do not divide the hidden size', () => {
    assert.throws(
      () => parse({ ...fixtureJson('base-tiny'), num_attention_heads: 5 }),
      badConfig(/num_attention_heads \(5\) does not divide hidden_size \(32\)/),
    );
  });

  it('refuses wrong types and values, naming the field', () => {
    assert.throws(() => parse({ ...fixtureJson('base-tiny'), hidden_size: '32' }), badConfig(/hidden_size must be a number/));
    assert.throws(() => parse({ ...fixtureJson('base-tiny'), num_hidden_layers: 0 }), badConfig(/num_hidden_layers is 0/));
    assert.throws(() => parse({ ...fixtureJson('base-tiny'), hidden_act: 'swish' }), badConfig(/hidden_act is "swish"/));
    assert.throws(
      () => parse({ ...fixtureJson('base-tiny'), pad_token_id: 500 }),
      badConfig(/pad_token_id \(500\) is not below vocab_size \(120\)/),
    );
    assert.throws(() => parse({ ...fixtureJson('base-tiny'), layer_norm_eps: 0 }), badConfig(/layer_norm_eps/));
    assert.throws(() => parse([1, 2]), badConfig(/JSON object/));
  });

  it('refuses id2label keys that are not 0..n-1 and labels that are not strings', () => {
    assert.throws(() => parse({ ...fixtureJson('cls-tiny'), id2label: { '0': 'a', '2': 'b' } }), badConfig(/id2label has key "2"/));
    assert.throws(() => parse({ ...fixtureJson('cls-tiny'), id2label: { '0': 'a', x: 'b' } }), badConfig(/id2label has key "x"/));
    assert.throws(() => parse({ ...fixtureJson('cls-tiny'), id2label: { '0': 1 } }), badConfig(/id2label\["0"\] is not a string/));
    assert.throws(() => parse({ ...fixtureJson('cls-tiny'), num_labels: 2 }), badConfig(/num_labels is 2 but id2label has 3 entries/));
  });

  it('gives classification heads HuggingFace default labels when the config has none', () => {
    const json = { ...fixtureJson('cls-tiny'), id2label: undefined, label2id: undefined };
    assert.deepEqual(parse(json).id2label, ['LABEL_0', 'LABEL_1']);
    assert.deepEqual(parse({ ...json, num_labels: 3 }).id2label, ['LABEL_0', 'LABEL_1', 'LABEL_2']);
  });

  it('keeps a __proto__ label key from touching prototypes', () => {
    const json = JSON.parse(
      '{"architectures": ["LongformerForSequenceClassification"], "hidden_size": 32, "num_attention_heads": 4, "id2label": {"__proto__": "x"}}',
    ) as unknown;
    assert.throws(() => parse(json), badConfig(/id2label has key "__proto__"/));
    assert.equal(({} as Record<string, unknown>)['0'], undefined);
  });
});
