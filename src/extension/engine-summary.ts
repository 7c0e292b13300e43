// What the editor says about where and how a result was computed: the provider and the precision that ran, each with
// the reason when it is not the one the settings asked for. Pure (no `vscode`), so it is tested in plain Node.
import type { Precision } from '../core/precision';

/** The precisions `longformerLens.precision` offers (package.json's enum). */
export const PRECISION_SETTINGS = ['fp32', 'fp16', 'int8'] as const satisfies readonly Precision[];
export type PrecisionSetting = (typeof PRECISION_SETTINGS)[number];

/** The setting's value as the engine takes it; anything else (a hand-edited settings.json) is fp32, the reference. */
export function precisionSetting(value: unknown): PrecisionSetting {
  return (PRECISION_SETTINGS as readonly unknown[]).includes(value) ? (value as PrecisionSetting) : 'fp32';
}

export interface RanOn {
  readonly provider: string;
  /** Why the provider is not the one asked for (a CPU fallback), when it is not. */
  readonly providerNote?: string;
  readonly precision: Precision;
  /** Why the precision is not the one asked for (fp16 on the CPU or without shader-f16, int8 on a GPU), when it is not. */
  readonly precisionNote?: string;
}

/** The status bar's last words: the provider, and the precision when it is not the fp32 default ("webgpu fp16"). */
export function ranOnLabel(ran: RanOn): string {
  return ran.precision === 'fp32' ? ran.provider : `${ran.provider} ${ran.precision}`;
}

/** The tooltip's lines: "Provider: cpu (why)" and "Precision: fp32 (why)". */
export function ranOnLines(ran: RanOn): string[] {
  const why = (note: string | undefined): string => (note === undefined ? '' : ` (${note})`);
  return [`Provider: ${ran.provider}${why(ran.providerNote)}`, `Precision: ${ran.precision}${why(ran.precisionNote)}`];
}
