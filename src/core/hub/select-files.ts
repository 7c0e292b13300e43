// Which of a repository's files inference needs: pure decisions over the file list, so they are tested alone.
import { LensError } from '../errors';
import { checkRepoPath } from './cache-layout';

export type WeightChoice =
  | { readonly kind: 'single'; readonly path: string }
  /** A sharded checkpoint: the index names the shards in its weight_map. */
  | { readonly kind: 'sharded'; readonly indexPath: string };

export interface InferenceFiles {
  readonly config: string;
  /** Tokenizer and special-token files present in the repository (all small). */
  readonly tokenizer: readonly string[];
  readonly weights: WeightChoice;
}

// safetensors first: it is read without unpickling and maps straight to tensors; PyTorch pickles are the fallback.
const WEIGHT_PREFERENCE: readonly WeightChoice[] = [
  { kind: 'single', path: 'model.safetensors' },
  { kind: 'sharded', indexPath: 'model.safetensors.index.json' },
  { kind: 'single', path: 'pytorch_model.bin' },
  { kind: 'sharded', indexPath: 'pytorch_model.bin.index.json' },
];

export const TOKENIZER_FILES = [
  'tokenizer.json',
  'vocab.json',
  'merges.txt',
  'special_tokens_map.json',
  'tokenizer_config.json',
  'added_tokens.json',
];

export function selectInferenceFiles(repoId: string, files: readonly string[]): InferenceFiles {
  const present = new Set(files);
  if (!present.has('config.json')) {
    throw new LensError(
      'NOT_FOUND',
      `${repoId} has no config.json, so it is not a transformers checkpoint.`,
      'Pick a Longformer checkpoint, e.g. allenai/longformer-base-4096 (see models/registry.json).',
    );
  }
  const weights = WEIGHT_PREFERENCE.find((choice) => present.has(choice.kind === 'single' ? choice.path : choice.indexPath));
  if (weights === undefined) {
    const other = files.filter((file) => /\.(h5|msgpack|onnx|ckpt)$/.test(file));
    throw new LensError(
      'NOT_FOUND',
      `${repoId} has no PyTorch or safetensors weights (model.safetensors, pytorch_model.bin or a sharded index)${other.length > 0 ? `; it only has ${other.slice(0, 3).join(', ')}` : ''}.`,
      'Convert the checkpoint to safetensors with transformers (save_pretrained), or pick another repository.',
    );
  }
  return { config: 'config.json', tokenizer: TOKENIZER_FILES.filter((file) => present.has(file)), weights };
}

/** The shard files an `*.index.json` names, each once, in first-seen order. */
export function shardsOfIndex(indexPath: string, text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LensError('BAD_CHECKPOINT', `${indexPath} is not valid JSON.`);
  }
  const weightMap = typeof parsed === 'object' && parsed !== null ? (parsed as { weight_map?: unknown }).weight_map : undefined;
  if (typeof weightMap !== 'object' || weightMap === null) {
    throw new LensError('BAD_CHECKPOINT', `${indexPath} has no weight_map object.`);
  }
  const shards = new Set<string>();
  for (const [tensor, file] of Object.entries(weightMap)) {
    if (typeof file !== 'string') throw new LensError('BAD_CHECKPOINT', `${indexPath}: weight_map["${tensor}"] is not a file name.`);
    shards.add(checkRepoPath(file));
  }
  if (shards.size === 0) throw new LensError('BAD_CHECKPOINT', `${indexPath} lists no shards.`);
  return [...shards];
}
