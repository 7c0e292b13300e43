// Turns a `--model` argument into a checkpoint folder on disk.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { LensError } from '../core/errors';

export async function resolveModelArg(value: string): Promise<string> {
  const folder = resolve(value);
  if (existsSync(folder) && statSync(folder).isDirectory()) return folder;
  throw new LensError('NOT_FOUND', `--model ${value}: no such folder.`, 'Pass a folder that holds config.json and the weights.');
}
