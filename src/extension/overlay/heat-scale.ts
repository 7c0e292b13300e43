// Per-token attention scores -> a few shading levels, with a cut-off so the top tokens stand out, a linear or a log
// scale, and the words a tooltip uses (percent of the maximum and rank). Pure (no `vscode`, no DOM): the editor
// decorations and the overlay's webview script both use it.

export type HeatScale = 'linear' | 'log';

/** Shading levels above the cut-off; level 0 means "not shaded". */
export const HEAT_LEVELS = 8;

/** Fractions of the tokens the cut-off keeps, offered in the overlay and the editor heatmap. */
export const TOP_FRACTIONS: readonly number[] = [0.01, 0.05, 0.1, 0.25, 1];

/** Attention is heavy-tailed: shading every token makes the document one colour, so by default a tenth is shaded. */
export const DEFAULT_TOP_FRACTION = 0.1;

export interface HeatOptions {
  readonly scale: HeatScale;
  /** The fraction (0..1] of tokens with a positive score that get shaded: the highest-scoring ones. */
  readonly top: number;
}

export interface Heat {
  /** Per token: 1..HEAT_LEVELS, or 0 below the cut-off. */
  readonly levels: Uint8Array;
  /** Per token: 1 for the highest score; ties share the better rank. */
  readonly ranks: Uint32Array;
  readonly max: number;
  /** The lowest shaded score. */
  readonly threshold: number;
  /** How many tokens are shaded. */
  readonly shaded: number;
  /** HEAT_LEVELS + 1 scores: level k spans stops[k - 1]..stops[k]; stops[0] = threshold, the last = max. */
  readonly stops: Float64Array;
}

/** Token indices by descending score (stable: equal scores keep document order). */
export function orderByScore(scores: Float32Array): Uint32Array {
  const order = Uint32Array.from(scores.keys());
  return order.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/** Where `score` sits between `low` and `high` on the scale, 0..1. */
function scaled(score: number, low: number, high: number, scale: HeatScale): number {
  if (high <= low) return 1;
  if (scale === 'log') return Math.log(score / low) / Math.log(high / low);
  return (score - low) / (high - low);
}

export function computeHeat(scores: Float32Array, options: HeatOptions): Heat {
  const n = scores.length;
  const order = orderByScore(scores);
  const ranks = new Uint32Array(n);
  order.forEach((token, i) => {
    const previous = order[i - 1];
    ranks[token] = previous !== undefined && scores[previous] === scores[token] ? ranks[previous]! : i + 1;
  });
  const max = n > 0 ? Math.max(0, scores[order[0]!]!) : 0;
  let positive = 0;
  while (positive < n && scores[order[positive]!]! > 0) positive += 1;
  const top = Math.min(1, Math.max(0, options.top));
  const kept = positive === 0 ? 0 : Math.max(1, Math.ceil(top * positive));
  const threshold = kept === 0 ? 0 : scores[order[kept - 1]!]!;
  const levels = new Uint8Array(n);
  let shaded = 0;
  if (kept > 0) {
    for (const token of order) {
      const score = scores[token]!;
      if (score < threshold || score <= 0) break;
      const fraction = scaled(score, threshold, max, options.scale);
      levels[token] = Math.min(HEAT_LEVELS, Math.max(1, Math.ceil(fraction * HEAT_LEVELS)));
      shaded += 1;
    }
  }
  const stops = Float64Array.from({ length: HEAT_LEVELS + 1 }, (_, k) => {
    const t = k / HEAT_LEVELS;
    if (max <= threshold) return max;
    return options.scale === 'log' ? threshold * Math.pow(max / threshold, t) : threshold + (max - threshold) * t;
  });
  return { levels, ranks, max, threshold, shaded, stops };
}

/** "12 % of max" with enough digits that small values do not all read 0. */
export function percentOfMax(score: number, max: number): string {
  if (max <= 0) return '0 % of max';
  const percent = (100 * score) / max;
  const digits = percent >= 10 ? 0 : percent >= 1 ? 1 : 2;
  return `${percent.toFixed(digits)} % of max`;
}

/** A raw attention value for the legend and tooltips: plain decimals where they read well, else exponent form. */
export function formatScore(score: number): string {
  if (score === 0) return '0';
  return score >= 0.001 ? score.toPrecision(3) : score.toExponential(2);
}

/** The tooltip line for one token: "41 % of max · rank 3 of 30,000 · 0.0123". */
export function describeScore(heat: Heat, scores: Float32Array, token: number): string {
  const score = scores[token] ?? 0;
  const rank = (heat.ranks[token] ?? 0).toLocaleString('en-US');
  return `${percentOfMax(score, heat.max)} · rank ${rank} of ${scores.length.toLocaleString('en-US')} · ${formatScore(score)}`;
}

/** Which map: "From the global tokens · layer 2 · mean of heads" (the overlay's legend and the editor heat's). */
export function describeSelection(selection: {
  readonly mode: 'global' | 'received' | 'token';
  readonly layer: number | 'mean';
  readonly head: number | 'mean';
}): string {
  const what =
    selection.mode === 'global'
      ? 'From the global tokens'
      : selection.mode === 'received'
        ? 'Received by each token'
        : 'From the source token';
  const layer = selection.layer === 'mean' ? 'mean of layers' : `layer ${selection.layer}`;
  const head = selection.head === 'mean' ? 'mean of heads' : `head ${selection.head}`;
  return `${what} · ${layer} · ${head}`;
}

/** "top 10 %", or "every token": a cut-off as the controls name it. */
export function describeTop(top: number): string {
  return top >= 1 ? 'every token' : `top ${Number((top * 100).toPrecision(3))} %`;
}

/**
 * The legend as lines of text, for a view that cannot draw the overlay's swatches (the editor heat's status bar
 * tooltip): how many tokens are shaded and by what rule, then each level's range, hottest first.
 */
export function heatLegendLines(heat: Heat, options: HeatOptions, tokens: number): string[] {
  const lines = [
    `${heat.shaded.toLocaleString('en-US')} of ${tokens.toLocaleString('en-US')} tokens shaded (${describeTop(options.top)} of those ` +
      `with attention, ${options.scale} scale), ${formatScore(heat.threshold)} to ${formatScore(heat.max)}`,
  ];
  if (heat.shaded === 0) return lines;
  for (let level = HEAT_LEVELS; level >= 1; level -= 1) {
    const low = heat.stops[level - 1]!;
    const high = heat.stops[level]!;
    lines.push(
      `level ${level}: ${percentOfMax(low, heat.max)} to ${percentOfMax(high, heat.max)} (${formatScore(low)} to ${formatScore(high)})`,
    );
  }
  return lines;
}
