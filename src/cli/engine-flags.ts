// The --provider, --threads and --precision flags every verb that opens an engine takes, checked once.
import { LensError } from '../core/errors';
import { isPrecision, PRECISIONS } from '../core/precision';
import type { OpenEngineOptions } from '../core/runtime/open';
import { isProviderChoice, PROVIDER_CHOICES } from '../core/runtime/providers';

export function engineFlags(flags: {
  readonly provider?: string;
  readonly threads?: string;
  readonly precision?: string;
}): Pick<OpenEngineOptions, 'provider' | 'threads' | 'precision'> {
  const provider = flags.provider ?? 'auto';
  if (!isProviderChoice(provider)) {
    throw new LensError('BAD_ARGUMENT', `--provider ${provider}: unknown provider; choose one of ${PROVIDER_CHOICES.join(', ')}.`);
  }
  const precision = flags.precision ?? 'fp32';
  if (!isPrecision(precision)) {
    throw new LensError('BAD_ARGUMENT', `--precision ${precision}: unknown precision; choose one of ${PRECISIONS.join(', ')}.`);
  }
  if (flags.threads === undefined) return { provider, precision };
  const threads = Number(flags.threads);
  if (!Number.isInteger(threads) || threads < 1)
    throw new LensError('BAD_ARGUMENT', `--threads ${flags.threads}: expected a positive integer.`);
  return { provider, threads, precision };
}
