// Reads the index of a sharded checkpoint (model.safetensors.index.json or pytorch_model.bin.index.json):
// {"metadata": {...}, "weight_map": {tensor name: shard file name}}.
import { readFile } from 'node:fs/promises';
import { LensError } from '../errors';

export interface ShardIndex {
  /** Tensor name → shard file name (a plain name in the same folder). */
  readonly weightMap: ReadonlyMap<string, string>;
  /** Distinct shard file names, in first-mention order. */
  readonly shards: string[];
}

export async function readShardIndex(path: string): Promise<ShardIndex> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw bad(path, `cannot read it as JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseShardIndex(json, path);
}

export function parseShardIndex(json: unknown, path: string): ShardIndex {
  const weightMapJson = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['weight_map'] : undefined;
  if (typeof weightMapJson !== 'object' || weightMapJson === null || Array.isArray(weightMapJson)) {
    throw bad(path, 'weight_map must be an object mapping tensor names to shard files');
  }
  const weightMap = new Map<string, string>();
  for (const [name, file] of Object.entries(weightMapJson)) {
    // A shard is a sibling file; anything with a path in it could read outside the checkpoint folder.
    if (typeof file !== 'string' || file === '' || file === '.' || file === '..' || /[\\/]/.test(file)) {
      throw bad(path, `weight_map["${name}"] is ${JSON.stringify(file)}; a shard must be a file name in the same folder`);
    }
    weightMap.set(name, file);
  }
  if (weightMap.size === 0) throw bad(path, 'weight_map is empty');
  return { weightMap, shards: [...new Set(weightMap.values())] };
}

function bad(path: string, what: string): LensError {
  return new LensError('BAD_CHECKPOINT', `${path}: ${what}.`);
}
