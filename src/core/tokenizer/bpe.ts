// Byte-pair encoding of one pre-tokenized word (already mapped to the byte-level alphabet).
//
// The merge loop always applies the lowest-ranked adjacent pair, leftmost first, which gives the same result as the
// reference "merge every occurrence of the best pair, then look again" loop. It keeps the symbols in a linked list and
// the candidate pairs in a binary heap, so a word of n bytes costs O(n log n): a 1 MB run of letters without a space
// (one pre-token) stays fast, where the quadratic textbook loop would not.

export interface BpeModel {
  /** Vocabulary string -> id. */
  readonly vocab: ReadonlyMap<string, number>;
  /** "left right" -> merge rank (0 = merged first). */
  readonly ranks: ReadonlyMap<string, number>;
  readonly unkId: number;
}

/** One merged piece of a word: its id and its byte range within the word. */
export interface BpePieces {
  readonly ids: number[];
  readonly byteStarts: number[];
  readonly byteEnds: number[];
}

/** Min-heap of candidate merges ordered by (rank, left position). */
class PairHeap {
  private readonly rank: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly leftLen: number[] = [];
  private readonly rightLen: number[] = [];

  get size(): number {
    return this.rank.length;
  }

  push(rank: number, left: number, right: number, leftLen: number, rightLen: number): void {
    this.rank.push(rank);
    this.left.push(left);
    this.right.push(right);
    this.leftLen.push(leftLen);
    this.rightLen.push(rightLen);
    let i = this.rank.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the best pair and returns [left, right, leftLen, rightLen]. */
  pop(): [number, number, number, number] {
    const top: [number, number, number, number] = [this.left[0]!, this.right[0]!, this.leftLen[0]!, this.rightLen[0]!];
    const last = this.rank.length - 1;
    this.swap(0, last);
    this.rank.pop();
    this.left.pop();
    this.right.pop();
    this.leftLen.pop();
    this.rightLen.pop();
    let i = 0;
    const n = this.rank.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < n && this.less(l, best)) best = l;
      if (r < n && this.less(r, best)) best = r;
      if (best === i) break;
      this.swap(i, best);
      i = best;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const ra = this.rank[a]!;
    const rb = this.rank[b]!;
    return ra < rb || (ra === rb && this.left[a]! < this.left[b]!);
  }

  private swap(a: number, b: number): void {
    for (const array of [this.rank, this.left, this.right, this.leftLen, this.rightLen]) {
      const t = array[a]!;
      array[a] = array[b]!;
      array[b] = t;
    }
  }
}

/** Splits `word` (byte-level alphabet, one character per byte) into vocabulary pieces. */
export function bpeWord(model: BpeModel, word: string): BpePieces {
  const n = word.length;
  // Symbol i covers word[start[i], start[i] + len[i]); merged-away symbols have len 0.
  const len = new Int32Array(n).fill(1);
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  for (let i = 0; i < n; i += 1) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  const heap = new PairHeap();
  const consider = (left: number, right: number): void => {
    const rank = model.ranks.get(`${word.substr(left, len[left])} ${word.substr(right, len[right])}`);
    if (rank !== undefined) heap.push(rank, left, right, len[left]!, len[right]!);
  };
  for (let i = 0; i + 1 < n; i += 1) consider(i, i + 1);

  while (heap.size > 0) {
    const [left, right, leftLen, rightLen] = heap.pop();
    // Stale entries: one side has been merged since the pair was queued (its length changed or it is gone).
    if (len[left] !== leftLen || len[right] !== rightLen || next[left] !== right) continue;
    len[left] = leftLen + rightLen;
    len[right] = 0;
    const after = next[right]!;
    next[left] = after;
    if (after !== -1) prev[after] = left;
    const before = prev[left]!;
    if (before !== -1) consider(before, left);
    if (after !== -1) consider(left, after);
  }

  const ids: number[] = [];
  const byteStarts: number[] = [];
  const byteEnds: number[] = [];
  for (let i = n > 0 ? 0 : -1; i !== -1; i = next[i]!) {
    const piece = word.substr(i, len[i]);
    const id = model.vocab.get(piece);
    if (id !== undefined) {
      ids.push(id);
      byteStarts.push(i);
      byteEnds.push(i + len[i]!);
    } else {
      // Byte-level vocabularies hold every single byte, so this only happens with a damaged vocabulary.
      for (let b = i; b < i + len[i]!; b += 1) {
        ids.push(model.vocab.get(word[b]!) ?? model.unkId);
        byteStarts.push(b);
        byteEnds.push(b + 1);
      }
    }
  }
  return { ids, byteStarts, byteEnds };
}
