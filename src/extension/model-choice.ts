// Which checkpoint a task uses: its setting, or one the user chooses on first use (offered with the walkthrough's
// model step).
import { configuredModel } from './config';
import type { LensContext } from './context';
import { pickModel } from './model-picker';
import type { LensTask } from './tasks';
import { offerModelStep } from './walkthrough';

export async function modelFor(lens: LensContext, task: LensTask): Promise<string | undefined> {
  const configured = configuredModel(task);
  if (configured !== '') return configured;
  // The first command without a model: point at the walkthrough's model step rather than fail.
  if (!(await offerModelStep())) return undefined;
  const outcome = await pickModel(lens, task);
  return outcome !== undefined && 'chosen' in outcome ? outcome.chosen : undefined;
}
