// Turns per-token attention scores into a few intensity levels, one decoration each. Pure (no `vscode`).

export const HEATMAP_LEVELS = 8;

/**
 * Level 1..HEATMAP_LEVELS per token relative to the largest score, 0 for tokens below `floor` of it (left undecorated so
 * the text stays readable). A square-root scale: attention is heavy-tailed and a linear scale hides all but the peak.
 */
export function heatLevels(scores: Float32Array, floor = 0.05): Uint8Array {
  let max = 0;
  for (const score of scores) if (score > max) max = score;
  const levels = new Uint8Array(scores.length);
  if (max <= 0) return levels;
  scores.forEach((score, i) => {
    const relative = score / max;
    if (relative >= floor) levels[i] = Math.max(1, Math.ceil(Math.sqrt(relative) * HEATMAP_LEVELS));
  });
  return levels;
}
