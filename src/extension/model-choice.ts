// Which checkpoint the commands use: the `longformerLens.modelPath` setting, or one the user chooses on first use.
import { readSettings } from './config';
import type { LensContext } from './context';
import { chooseModelInteractively } from './model-picker';

export async function chooseModel(lens: LensContext): Promise<string | undefined> {
  const configured = readSettings().modelPath;
  return configured !== '' ? configured : chooseModelInteractively(lens);
}
