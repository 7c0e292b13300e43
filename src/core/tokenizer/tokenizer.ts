// RoBERTa's byte-level BPE tokenizer with offsets in UTF-16 code units (the unit of JavaScript strings and of VS Code's
// TextDocument.offsetAt).
//
// Why hand-written and not a library: the native candidate (@anush008/tokenizers, a napi wrapper of HuggingFace's Rust
// tokenizers, prebuilt per platform as six optional sub-packages) would add a second native dependency to a shared
// install, and the Rust crate reports offsets in bytes or Unicode scalar values, not UTF-16 units, so every offset
// would need converting anyway. The algorithm is small (a regex pre-tokenizer, a byte alphabet and BPE merges), the
// fixture table checks it id for id, and a per-word cache makes 1 MB of prose take about 0.15 s.
//
// Behaviour matches HuggingFace's RobertaTokenizerFast with `add_prefix_space: false` and `trim_offsets: true`:
// - pre-tokenization uses GPT-2's regex (below);
// - a token's span is the characters its bytes come from; a token holding only part of a multi-byte character maps
//   to that whole character; the leading (and trailing) spaces of a token such as "Ġworld" are trimmed off its span;
// - special tokens get the empty span [0, 0].
// Unlike HuggingFace, special-token strings inside the text ("</s>" in an HTML page) are tokenized as ordinary text:
// a document must not be able to inject separators into the model's input.
import { LensError } from '../errors';
import { type BpeModel, bpeWord } from './bpe';
import { BYTE_TO_CHAR, SPACE_CHAR } from './byte-level';

/** Which part of the input a token came from: -1 special token, 0 the first text (question), 1 the second (context). */
export type SequenceId = -1 | 0 | 1;

/** Tokens of one text without special tokens: ids and UTF-16 spans [starts[i], ends[i]) into the text. */
export interface TokenSpans {
  readonly ids: Int32Array;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
}

/** A text's tokens with the pre-tokenizer word each came from (HuggingFace's word ids), for aligning answers. */
export interface Tokenized extends TokenSpans {
  readonly words: Uint32Array;
}

/** Model input for one sequence or pair, special tokens included. */
export interface Encoding extends TokenSpans {
  readonly sequenceIds: Int8Array;
}

export interface SpecialTokens {
  readonly cls: number;
  readonly sep: number;
  readonly pad: number;
  readonly unk: number;
  readonly mask?: number;
}

export interface TokenizerOptions {
  readonly addPrefixSpace?: boolean;
  readonly trimOffsets?: boolean;
  /** Longest text the checkpoint declares (`model_max_length`); informational, never used to truncate. */
  readonly modelMaxLength?: number;
}

// GPT-2's pre-tokenizer: contractions, letters, digits, other symbols (each optionally after one space), then
// whitespace runs, keeping the last space of a run for the word after it. `\s` is Unicode White_Space, as in the
// reference's regex engine (JavaScript's own `\s` differs: it has U+FEFF and lacks U+0085).
const PRE_TOKENIZER =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?![^\p{White_Space}])|\p{White_Space}+/gu;

/** A word's tokens with spans relative to the word's first UTF-16 unit, already trimmed. */
interface WordTokens {
  readonly ids: Int32Array;
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
}

const CACHE_LIMIT = 200_000;
// Words longer than this are not worth keeping: they rarely repeat and would crowd out the common ones.
const CACHE_MAX_WORD = 256;

export class RobertaTokenizer {
  readonly vocabSize: number;
  private readonly cache = new Map<string, WordTokens>();
  /** id -> token string, built on the first tokenString call: most runs never need it, and it is 50,265 strings. */
  private idToToken: string[] | undefined;
  private readonly addPrefixSpace: boolean;
  private readonly trimOffsets: boolean;
  /** `model_max_length` from tokenizer_config.json, when given; informational. */
  readonly modelMaxLength: number | undefined;

  constructor(
    private readonly model: BpeModel,
    readonly special: SpecialTokens,
    options: TokenizerOptions = {},
  ) {
    this.addPrefixSpace = options.addPrefixSpace ?? false;
    this.trimOffsets = options.trimOffsets ?? true;
    this.modelMaxLength = options.modelMaxLength;
    let largestId = -1;
    for (const id of model.vocab.values()) largestId = Math.max(largestId, id);
    this.vocabSize = largestId + 1;
  }

  /** The vocabulary string of an id ("Ġworld"), or undefined outside the vocabulary. */
  tokenString(id: number): string | undefined {
    if (this.idToToken === undefined) {
      const idToToken: string[] = [];
      for (const [token, tokenId] of this.model.vocab) idToToken[tokenId] = token;
      this.idToToken = idToToken;
    }
    return this.idToToken[id];
  }

  /** Tokens of `text` without special tokens. */
  tokenize(text: string): Tokenized {
    const ids: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const words: number[] = [];
    let word = 0;
    let source = text;
    let shift = 0;
    // add_prefix_space: the model sees " text"; the added space has no place in the document, so spans move back by one.
    if (this.addPrefixSpace && text.length > 0 && !text.startsWith(' ')) {
      source = ` ${text}`;
      shift = 1;
    }
    PRE_TOKENIZER.lastIndex = 0;
    for (let match = PRE_TOKENIZER.exec(source); match !== null; match = PRE_TOKENIZER.exec(source)) {
      const at = match.index;
      const tokens = this.word(match[0]);
      for (let i = 0; i < tokens.ids.length; i += 1) {
        ids.push(tokens.ids[i]!);
        starts.push(Math.max(0, at + tokens.starts[i]! - shift));
        ends.push(Math.max(0, at + tokens.ends[i]! - shift));
        words.push(word);
      }
      word += 1;
    }
    return { ids: Int32Array.from(ids), starts: Uint32Array.from(starts), ends: Uint32Array.from(ends), words: Uint32Array.from(words) };
  }

  /** `<s> text </s>`. */
  encode(text: string): Encoding {
    return this.withSpecials([this.tokenize(text)]);
  }

  /** `<s> first </s></s> second </s>`, RoBERTa's pair layout (question, context for extractive QA). */
  encodePair(first: string, second: string): Encoding {
    return this.withSpecials([this.tokenize(first), this.tokenize(second)]);
  }

  /** Wraps already tokenized parts in RoBERTa's special tokens. */
  withSpecials(parts: readonly TokenSpans[]): Encoding {
    const total = parts.reduce((sum, part) => sum + part.ids.length, 0) + (parts.length === 1 ? 2 : 4);
    const ids = new Int32Array(total);
    const starts = new Uint32Array(total);
    const ends = new Uint32Array(total);
    const sequenceIds = new Int8Array(total).fill(-1);
    let at = 0;
    ids[at++] = this.special.cls;
    parts.forEach((part, index) => {
      if (index > 0) ids[at++] = this.special.sep;
      ids.set(part.ids, at);
      starts.set(part.starts, at);
      ends.set(part.ends, at);
      sequenceIds.fill(index, at, at + part.ids.length);
      at += part.ids.length;
      ids[at++] = this.special.sep;
    });
    return { ids, starts, ends, sequenceIds };
  }

  private word(word: string): WordTokens {
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached;
    const tokens = this.encodeWord(word);
    if (word.length <= CACHE_MAX_WORD) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(word, tokens);
    }
    return tokens;
  }

  private encodeWord(word: string): WordTokens {
    // UTF-8 bytes of the word, each with the UTF-16 span of the character it belongs to.
    const charStart: number[] = [];
    const charEnd: number[] = [];
    let mapped = '';
    for (let i = 0; i < word.length;) {
      const cp = word.codePointAt(i)!;
      const units = cp > 0xffff ? 2 : 1;
      // A lone surrogate is not valid UTF-16; like TextEncoder, encode it as U+FFFD.
      const isLoneSurrogate = cp >= 0xd800 && cp <= 0xdfff;
      const bytes = utf8(isLoneSurrogate ? 0xfffd : cp);
      for (const byte of bytes) {
        mapped += BYTE_TO_CHAR[byte]!;
        charStart.push(i);
        charEnd.push(i + units);
      }
      i += units;
    }
    const pieces = bpeWord(this.model, mapped);
    const count = pieces.ids.length;
    const starts = new Uint32Array(count);
    const ends = new Uint32Array(count);
    for (let t = 0; t < count; t += 1) {
      const byteStart = pieces.byteStarts[t]!;
      const byteEnd = pieces.byteEnds[t]!;
      let start = charStart[byteStart]!;
      let end = charEnd[byteEnd - 1]!;
      if (this.trimOffsets) {
        // Spaces are one byte and one UTF-16 unit, so counting the token's leading/trailing "Ġ" counts units.
        let lead = 0;
        while (byteStart + lead < byteEnd && mapped[byteStart + lead] === SPACE_CHAR) lead += 1;
        let trail = 0;
        while (byteEnd - 1 - trail >= byteStart && mapped[byteEnd - 1 - trail] === SPACE_CHAR) trail += 1;
        if (lead > 0) start = Math.min(start + lead, end);
        if (trail > 0 && end >= trail) end = Math.max(end - trail, start);
      }
      starts[t] = start;
      ends[t] = end;
    }
    return { ids: Int32Array.from(pieces.ids), starts, ends };
  }
}

function utf8(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}

/** Raised by the loaders for tokenizer files that cannot be used. */
export function badTokenizer(message: string, hint?: string): LensError {
  return new LensError('BAD_TOKENIZER', message, hint);
}
