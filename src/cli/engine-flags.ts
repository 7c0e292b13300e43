// The --provider and --threads flags every verb that opens an engine takes, checked once.
import { LensError } from '../core/errors';
import type { OpenEngineOptions } from '../core/runtime/open';
import { isProviderChoice, PROVIDER_CHOICES } from '../core/runtime/providers';

export function engineFlags(flags: {
  readonly provider?: string;
  readonly threads?: string;
}): Pick<OpenEngineOptions, 'provider' | 'threads'> {
  const provider = flags.provider ?? 'auto';
  if (!isProviderChoice(provider)) {
    throw new LensError('BAD_ARGUMENT', `--provider ${provider}: unknown provider; choose one of ${PROVIDER_CHOICES.join(', ')}.`);
  }
  if (flags.threads === undefined) return { provider };
  const threads = Number(flags.threads);
  if (!Number.isInteger(threads) || threads < 1)
    throw new LensError('BAD_ARGUMENT', `--threads ${flags.threads}: expected a positive integer.`);
  return { provider, threads };
}
