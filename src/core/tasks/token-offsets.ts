// Token <-> UTF-16 offset lookups over a document's token ranges. Pure and dependency-free: the attention task,
// the extension and the overlay's webview script share it.

/** The document token at a UTF-16 offset: the token covering it, else the last one starting before it. */
export function tokenAtOffset(starts: Uint32Array, ends: Uint32Array, offset: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= offset) lo = mid + 1;
    else hi = mid;
  }
  const last = Math.max(0, lo - 1);
  // Several tokens can start at the same place (byte pieces of one character, an empty trimmed-space token before a
  // word): take the first of them that covers the offset.
  let first = last;
  while (first > 0 && starts[first - 1] === starts[last]) first -= 1;
  for (let token = first; token <= last; token += 1) if (ends[token]! > offset) return token;
  return last;
}
