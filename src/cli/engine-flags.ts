// The --provider, --threads, --precision and --extend-positions flags every verb that opens an engine takes,
// checked once.
import { LensError } from '../core/errors';
import { isPrecision, PRECISIONS } from '../core/precision';
import type { OpenEngineOptions } from '../core/runtime/open';
import { isProviderChoice, PROVIDER_CHOICES } from '../core/runtime/providers';

export const EXTEND_POSITIONS_HELP =
  'run documents of up to this many tokens as one window by copying the learned position embeddings (an approximation; the checkpoint is not changed)';

export function engineFlags(flags: {
  readonly provider?: string;
  readonly threads?: string;
  readonly precision?: string;
  readonly extendPositions?: string;
}): Pick<OpenEngineOptions, 'provider' | 'threads' | 'precision' | 'extendPositions'> {
  const provider = flags.provider ?? 'auto';
  if (!isProviderChoice(provider)) {
    throw new LensError('BAD_ARGUMENT', `--provider ${provider}: unknown provider; choose one of ${PROVIDER_CHOICES.join(', ')}.`);
  }
  const precision = flags.precision ?? 'fp32';
  if (!isPrecision(precision)) {
    throw new LensError('BAD_ARGUMENT', `--precision ${precision}: unknown precision; choose one of ${PRECISIONS.join(', ')}.`);
  }
  const extend = extendPositionsFlag(flags.extendPositions);
  const extendPositions = extend === undefined ? {} : { extendPositions: extend };
  if (flags.threads === undefined) return { provider, precision, ...extendPositions };
  const threads = Number(flags.threads);
  if (!Number.isInteger(threads) || threads < 1)
    throw new LensError('BAD_ARGUMENT', `--threads ${flags.threads}: expected a positive integer.`);
  return { provider, threads, precision, ...extendPositions };
}

/** `--extend-positions N`: a token count (checked against the model when its config is read). */
export function extendPositionsFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new LensError('BAD_ARGUMENT', `--extend-positions ${value}: expected a number of tokens.`);
  return Number(value);
}
