// Which checkpoint a task uses: its setting, or one the user chooses on first use.
import { configuredModel } from './config';
import type { LensContext } from './context';
import { pickModel } from './model-picker';
import type { LensTask } from './tasks';

export async function modelFor(lens: LensContext, task: LensTask): Promise<string | undefined> {
  const configured = configuredModel(task);
  if (configured !== '') return configured;
  const outcome = await pickModel(lens, task);
  return outcome !== undefined && 'chosen' in outcome ? outcome.chosen : undefined;
}
