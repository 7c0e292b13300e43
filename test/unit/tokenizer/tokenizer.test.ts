import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LensError } from '../../../src/core/errors';
import { loadTokenizer } from '../../../src/core/tokenizer';
import { tokenToBytes } from '../../../src/core/tokenizer/byte-level';
import type { RobertaTokenizer } from '../../../src/core/tokenizer/tokenizer';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'roberta-bpe');

interface Case {
  readonly name: string;
  readonly text: string;
  readonly ids: readonly number[];
  readonly tokens: readonly string[];
}
const table = JSON.parse(readFileSync(join(FIXTURE, 'tokenizer-cases.json'), 'utf8')) as {
  cases: Case[];
  special_ids: Record<string, number>;
  vocab_size: number;
};

describe('RoBERTa byte-level BPE tokenizer', () => {
  let tokenizer: RobertaTokenizer;
  before(() => {
    tokenizer = loadTokenizer(FIXTURE);
  });

  it('loads the fixture vocabulary and special ids', () => {
    assert.equal(tokenizer.vocabSize, table.vocab_size);
    assert.deepEqual(
      {
        '<s>': tokenizer.special.cls,
        '<pad>': tokenizer.special.pad,
        '</s>': tokenizer.special.sep,
        '<unk>': tokenizer.special.unk,
        '<mask>': tokenizer.special.mask,
      },
      table.special_ids,
    );
  });

  for (const c of table.cases) {
    it(`ids of case ${c.name}`, () => {
      const encoding = tokenizer.encode(c.text);
      assert.deepEqual([...encoding.ids], c.ids);
      assert.deepEqual(
        [...encoding.ids].map((id) => tokenizer.tokenString(id)),
        c.tokens,
      );
    });
  }

  it('offsets round-trip on every fixture text: each span is its token minus trimmed spaces, whole characters', () => {
    for (const c of table.cases) {
      const encoding = tokenizer.encode(c.text);
      const n = encoding.ids.length;
      assert.deepEqual([encoding.starts[0], encoding.ends[0], encoding.starts[n - 1], encoding.ends[n - 1]], [0, 0, 0, 0], c.name);
      // Tokens whose spans overlap (pieces of one multi-byte character) form a group; a group's bytes decode to its
      // span's text, give or take the spaces trimmed off the span.
      let i = 1;
      while (i < n - 1) {
        const groupStart = encoding.starts[i]!;
        let groupEnd = encoding.ends[i]!;
        const chunks = [Buffer.from(tokenToBytes(tokenizer.tokenString(encoding.ids[i]!)!))];
        let j = i + 1;
        while (j < n - 1 && encoding.starts[j]! < groupEnd) {
          groupEnd = Math.max(groupEnd, encoding.ends[j]!);
          chunks.push(Buffer.from(tokenToBytes(tokenizer.tokenString(encoding.ids[j]!)!)));
          j += 1;
        }
        const decoded = Buffer.concat(chunks).toString('utf8');
        const slice = c.text.slice(groupStart, groupEnd);
        assert.ok(groupEnd <= c.text.length, c.name);
        assert.equal(slice, decoded.replace(/^ +/, '').replace(/ +$/, ''), `${c.name}: tokens ${i}..${j - 1}`);
        // Spans never cut a surrogate pair.
        assert.ok(!/^[\uDC00-\uDFFF]/.test(slice) && !/[\uD800-\uDBFF]$/.test(slice), `${c.name}: token ${i} cuts a surrogate pair`);
        if (j < n - 1) assert.ok(encoding.starts[j]! >= groupEnd, c.name);
        i = j;
      }
    }
  });

  it('maps a token that holds part of a multi-byte character to the whole character', () => {
    // "’" (3 bytes) becomes two tokens "âĢ" "Ļ"; both cover the one UTF-16 unit of the apostrophe.
    const text = 'don’t';
    const encoding = tokenizer.tokenize(text);
    const pieces = [...encoding.ids].map((id, i) => [tokenizer.tokenString(id), encoding.starts[i], encoding.ends[i]]);
    assert.deepEqual(pieces, [
      ['don', 0, 3],
      ['âĢ', 3, 4],
      ['Ļ', 3, 4],
      ['t', 4, 5],
    ]);
    // An astral character is two UTF-16 units.
    const emoji = tokenizer.tokenize('a 😀');
    assert.equal(emoji.starts[1], 2);
    assert.equal(emoji.ends[emoji.ids.length - 1], 4);
  });

  it('trims the leading space of "Ġword" off its span', () => {
    const encoding = tokenizer.tokenize('Hello world');
    assert.deepEqual([...encoding.starts], [0, 6]);
    assert.deepEqual([...encoding.ends], [5, 11]);
  });

  it('encodes a question/context pair with sequence ids', () => {
    const encoding = tokenizer.encodePair('Who?', 'Me too');
    assert.deepEqual(
      [...encoding.ids].map((id) => tokenizer.tokenString(id)),
      ['<s>', 'Who', '?', '</s>', '</s>', 'Me', 'Ġtoo', '</s>'],
    );
    assert.deepEqual([...encoding.sequenceIds], [-1, 0, 0, -1, -1, 1, 1, -1]);
    assert.deepEqual([...encoding.starts], [0, 0, 3, 0, 0, 0, 3, 0]);
    assert.deepEqual([...encoding.ends], [0, 3, 4, 0, 0, 2, 6, 0]);
  });

  it('treats special-token strings in the text as ordinary text', () => {
    const encoding = tokenizer.tokenize('a </s> b');
    assert.ok(![...encoding.ids].includes(tokenizer.special.sep));
  });

  it('tokenizes 1 MB of prose and a 200 kB word without spaces', () => {
    const paragraph = table.cases.find((c) => c.name === 'paragraph_5000')!.text;
    let text = '';
    while (text.length < 1_000_000) text += `${paragraph}\n\n`;
    const started = process.hrtime.bigint();
    const tokens = tokenizer.tokenize(text);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(`      (1 MB: ${tokens.ids.length} tokens in ${ms.toFixed(0)} ms)\n`);
    assert.equal(tokens.ends[tokens.ids.length - 1], text.length);
    const word = 'ab'.repeat(100_000);
    const long = tokenizer.tokenize(word);
    assert.equal(long.starts[0], 0);
    assert.equal(long.ends[long.ids.length - 1], word.length);
  });

  describe('loading', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'lens-tok-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('reads tokenizer.json and gives the same ids as vocab.json + merges.txt', () => {
      const vocab = JSON.parse(readFileSync(join(FIXTURE, 'vocab.json'), 'utf8')) as Record<string, number>;
      const merges = readFileSync(join(FIXTURE, 'merges.txt'), 'utf8')
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#'));
      writeFileSync(
        join(dir, 'tokenizer.json'),
        JSON.stringify({
          version: '1.0',
          added_tokens: [],
          normalizer: null,
          pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true },
          post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: false },
          model: { type: 'BPE', vocab, merges: merges.map((m) => m.split(' ')), unk_token: null },
        }),
      );
      const fromJson = loadTokenizer(dir);
      for (const c of table.cases) assert.deepEqual([...fromJson.encode(c.text).ids], c.ids, c.name);
    });

    it('honours add_prefix_space from tokenizer_config.json, with spans in the original text', () => {
      for (const file of ['vocab.json', 'merges.txt', 'special_tokens_map.json'])
        writeFileSync(join(dir, file), readFileSync(join(FIXTURE, file)));
      writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ add_prefix_space: true, model_max_length: 4096 }));
      const prefixed = loadTokenizer(dir);
      assert.equal(prefixed.modelMaxLength, 4096);
      const encoding = prefixed.tokenize('Hello world');
      assert.deepEqual(
        [...encoding.ids].map((id) => prefixed.tokenString(id)),
        ['ĠHello', 'Ġworld'],
      );
      assert.deepEqual([...encoding.starts], [0, 6]);
      assert.deepEqual([...encoding.ends], [5, 11]);
    });

    it('reports a folder without tokenizer files', () => {
      assert.throws(
        () => loadTokenizer(dir),
        (error: unknown) => error instanceof LensError && error.code === 'BAD_TOKENIZER',
      );
    });

    it('reports a malformed vocabulary', () => {
      writeFileSync(join(dir, 'vocab.json'), '{"a": "x"}');
      writeFileSync(join(dir, 'merges.txt'), '#version: 0.2\n');
      assert.throws(() => loadTokenizer(dir), /token "a" has id "x"/);
    });

    it('reports a merge that is not two symbols around one space', () => {
      writeFileSync(join(dir, 'vocab.json'), JSON.stringify({ '<s>': 0, '<pad>': 1, '</s>': 2, '<unk>': 3, a: 4, b: 5, ab: 6 }));
      for (const merge of ['a b c', 'a ', ' b', 'ab', 'a  b']) {
        writeFileSync(join(dir, 'merges.txt'), `#version: 0.2\na b\n${merge}\n`);
        assert.throws(() => loadTokenizer(dir), new RegExp(`merge ${JSON.stringify(merge)} is not two symbols`), merge);
      }
      writeFileSync(join(dir, 'merges.txt'), '#version: 0.2\na b\n');
      const tokenizer = loadTokenizer(dir);
      assert.equal(tokenizer.vocabSize, 7);
      assert.deepEqual([...tokenizer.tokenize('ab').ids], [6]);
      assert.equal(tokenizer.tokenString(6), 'ab');
    });
  });
});
