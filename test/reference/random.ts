// A small seeded generator for randomized tests: reproducible from one printed integer, independent of Math.random.
// splitmix32-style mixing of a Weyl counter (each output is a bijective hash of the counter), adequate for picking
// test cases; not for statistics.

export class SeededRandom {
  private counter: number;

  constructor(readonly seed: number) {
    this.counter = seed >>> 0;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    this.counter = (this.counter + 0x9e3779b9) >>> 0;
    let z = this.counter;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}
