// Reads a RoBERTa byte-level BPE tokenizer from a checkpoint folder: `tokenizer.json` (the fast-tokenizer file) when
// present, otherwise `vocab.json` + `merges.txt`, with `special_tokens_map.json` and `tokenizer_config.json` beside them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LensError } from '../errors';
import type { BpeModel } from './bpe';
import { RobertaTokenizer, type SpecialTokens, type TokenizerOptions, badTokenizer } from './tokenizer';

const TOKENIZER_JSON = 'tokenizer.json';
const VOCAB_JSON = 'vocab.json';
const MERGES_TXT = 'merges.txt';

/** True when the folder holds tokenizer files this module can read. */
export function hasTokenizerFiles(dir: string): boolean {
  return existsSync(join(dir, TOKENIZER_JSON)) || (existsSync(join(dir, VOCAB_JSON)) && existsSync(join(dir, MERGES_TXT)));
}

export function loadTokenizer(dir: string): RobertaTokenizer {
  if (existsSync(join(dir, TOKENIZER_JSON))) return loadFromTokenizerJson(dir);
  if (existsSync(join(dir, VOCAB_JSON)) && existsSync(join(dir, MERGES_TXT))) return loadFromVocabAndMerges(dir);
  const source = tokenizerSource(dir);
  throw new LensError(
    'BAD_TOKENIZER',
    `${dir} has no tokenizer: neither ${TOKENIZER_JSON} nor ${VOCAB_JSON} with ${MERGES_TXT}. Take it from ${source}.`,
    `Pass --tokenizer ${source} (a hub repository or a folder), or copy its ${VOCAB_JSON} and ${MERGES_TXT} into the folder.`,
  );
}

// Every published Longformer checkpoint uses RoBERTa's byte-level BPE; this repository holds it as Longformer's own.
const SHARED_TOKENIZER_REPO = 'allenai/longformer-base-4096';

/**
 * Where a checkpoint without tokenizer files should take them from: the repository it was fine-tuned from, when
 * config.json records one (`_name_or_path`, written by save_pretrained), else allenai/longformer-base-4096.
 */
function tokenizerSource(dir: string): string {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) return SHARED_TOKENIZER_REPO;
  try {
    const config = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    const origin = isObject(config) ? config['_name_or_path'] : undefined;
    // A repository id (org/name), not a local path of the machine that saved it.
    if (typeof origin === 'string' && /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/.test(origin) && !existsSync(origin)) return origin;
  } catch {
    // An unreadable config.json is reported by the config reader; the suggestion falls back to the shared one.
  }
  return SHARED_TOKENIZER_REPO;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new LensError('BAD_TOKENIZER', `cannot read ${path}: ${(error as Error).message}.`, undefined, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new LensError('BAD_TOKENIZER', `${path} is not valid JSON: ${(error as Error).message}.`, undefined, { cause: error });
  }
}

function readOptionalJson(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  const value = readJson(path);
  if (!isObject(value)) throw badTokenizer(`${path} must hold a JSON object.`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseVocab(value: unknown, source: string): Map<string, number> {
  if (!isObject(value)) throw badTokenizer(`${source}: the vocabulary must be a JSON object of token -> id.`);
  const vocab = new Map<string, number>();
  // Keys, then a lookup each: Object.entries builds a pair array per token, which took twice as long over RoBERTa's
  // 50,265 tokens, on every start.
  for (const token of Object.keys(value)) {
    const id = value[token];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw badTokenizer(`${source}: token ${JSON.stringify(token)} has id ${JSON.stringify(id)}, not a non-negative integer.`);
    }
    vocab.set(token, id);
  }
  if (vocab.size === 0) throw badTokenizer(`${source}: the vocabulary is empty.`);
  return vocab;
}

function parseMergeLines(lines: readonly unknown[], source: string): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const line of lines) {
    let pair: string;
    if (typeof line === 'string') pair = line;
    else if (Array.isArray(line) && line.length === 2 && typeof line[0] === 'string' && typeof line[1] === 'string')
      pair = `${line[0]} ${line[1]}`;
    else throw badTokenizer(`${source}: merge ${JSON.stringify(line)} is neither "a b" nor ["a", "b"].`);
    // Two symbols around one space (indexOf rather than split: no array per merge, on every start).
    const space = pair.indexOf(' ');
    if (space <= 0 || space === pair.length - 1 || pair.indexOf(' ', space + 1) !== -1)
      throw badTokenizer(`${source}: merge ${JSON.stringify(pair)} is not two symbols.`);
    // The first occurrence of a pair wins, as in the reference implementation.
    if (!ranks.has(pair)) ranks.set(pair, ranks.size);
  }
  return ranks;
}

/** A special token as special_tokens_map.json / tokenizer_config.json write it: a string or {"content": ...}. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value['content'] === 'string') return value['content'];
  return undefined;
}

function resolveSpecials(vocab: ReadonlyMap<string, number>, maps: readonly Record<string, unknown>[], source: string): SpecialTokens {
  const find = (key: string, fallback: string, required: boolean): number | undefined => {
    let content: string | undefined;
    for (const map of maps) content ??= tokenContent(map[key]);
    content ??= fallback;
    const id = vocab.get(content);
    if (id === undefined && required) {
      throw badTokenizer(`${source}: the ${key.replace('_token', '')} token ${JSON.stringify(content)} is not in the vocabulary.`);
    }
    return id;
  };
  const cls = find('cls_token', '<s>', true)!;
  const sep = find('sep_token', '</s>', true)!;
  const pad = find('pad_token', '<pad>', true)!;
  const unk = find('unk_token', '<unk>', true)!;
  const mask = find('mask_token', '<mask>', false);
  return mask === undefined ? { cls, sep, pad, unk } : { cls, sep, pad, unk, mask };
}

function optionsFrom(config: Record<string, unknown>): TokenizerOptions {
  const options: { addPrefixSpace?: boolean; trimOffsets?: boolean; modelMaxLength?: number } = {};
  if (typeof config['add_prefix_space'] === 'boolean') options.addPrefixSpace = config['add_prefix_space'];
  if (typeof config['trim_offsets'] === 'boolean') options.trimOffsets = config['trim_offsets'];
  if (typeof config['model_max_length'] === 'number') options.modelMaxLength = config['model_max_length'];
  return options;
}

function loadFromVocabAndMerges(dir: string): RobertaTokenizer {
  const vocabPath = join(dir, VOCAB_JSON);
  const mergesPath = join(dir, MERGES_TXT);
  const vocab = parseVocab(readJson(vocabPath), vocabPath);
  let mergesText: string;
  try {
    mergesText = readFileSync(mergesPath, 'utf8');
  } catch (error) {
    throw new LensError('BAD_TOKENIZER', `cannot read ${mergesPath}: ${(error as Error).message}.`, undefined, { cause: error });
  }
  const lines = mergesText.split(/\r?\n/).filter((line) => line !== '' && !line.startsWith('#version'));
  const ranks = parseMergeLines(lines, mergesPath);
  const specialMap = readOptionalJson(join(dir, 'special_tokens_map.json'));
  const config = readOptionalJson(join(dir, 'tokenizer_config.json'));
  const special = resolveSpecials(vocab, [specialMap, config], dir);
  const model: BpeModel = { vocab, ranks, unkId: special.unk };
  return new RobertaTokenizer(model, special, optionsFrom(config));
}

function loadFromTokenizerJson(dir: string): RobertaTokenizer {
  const path = join(dir, TOKENIZER_JSON);
  const root = readJson(path);
  if (!isObject(root)) throw badTokenizer(`${path} must hold a JSON object.`);
  const modelJson = root['model'];
  if (!isObject(modelJson) || modelJson['type'] !== 'BPE') {
    throw badTokenizer(
      `${path}: model type ${JSON.stringify(isObject(modelJson) ? modelJson['type'] : modelJson)} is not BPE.`,
      "Longformer checkpoints use RoBERTa's byte-level BPE.",
    );
  }
  const pre = root['pre_tokenizer'];
  if (!isObject(pre) || pre['type'] !== 'ByteLevel') {
    throw badTokenizer(`${path}: the pre-tokenizer is not ByteLevel; only RoBERTa-style byte-level BPE is supported.`);
  }
  if (root['normalizer'] !== null && root['normalizer'] !== undefined) {
    throw badTokenizer(`${path}: a normalizer is configured; RoBERTa tokenizers have none and this one is not supported.`);
  }
  const vocab = parseVocab(modelJson['vocab'], path);
  const merges = modelJson['merges'];
  if (!Array.isArray(merges)) throw badTokenizer(`${path}: model.merges must be an array.`);
  const ranks = parseMergeLines(merges, path);
  const added = root['added_tokens'];
  if (Array.isArray(added)) {
    for (const entry of added) {
      if (isObject(entry) && typeof entry['content'] === 'string' && typeof entry['id'] === 'number')
        vocab.set(entry['content'], entry['id']);
    }
  }
  const config = readOptionalJson(join(dir, 'tokenizer_config.json'));
  const specialMap = readOptionalJson(join(dir, 'special_tokens_map.json'));
  const options: { addPrefixSpace?: boolean; trimOffsets?: boolean; modelMaxLength?: number } = { ...optionsFrom(config) };
  if (typeof pre['add_prefix_space'] === 'boolean') options.addPrefixSpace = pre['add_prefix_space'];
  const post = root['post_processor'];
  if (isObject(post) && typeof post['trim_offsets'] === 'boolean') options.trimOffsets = post['trim_offsets'];
  const special = resolveSpecials(vocab, [specialMap, config], dir);
  const unk = tokenContent(modelJson['unk_token']);
  const unkId = unk === undefined ? special.unk : (vocab.get(unk) ?? special.unk);
  return new RobertaTokenizer({ vocab, ranks, unkId }, special, options);
}
