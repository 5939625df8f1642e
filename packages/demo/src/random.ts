/**
 * mulberry32: a tiny seeded PRNG, so a demo run is repeatable from its options, and far
 * cheaper per draw than crypto randomness, which matters at tens of millions of draws.
 */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number): number => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number): boolean => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    /** Weighted choice over [item, weight] pairs. */
    weighted: <T>(items: ReadonlyArray<readonly [T, number]>): T => {
      let total = 0;
      for (const [, w] of items) total += w;
      let roll = next() * total;
      for (const [item, w] of items) if ((roll -= w) < 0) return item;
      return (items.at(-1) as readonly [T, number])[0];
    },
    /** Log-normal around a median: latencies and durations have long right tails. */
    logNormal: (median: number, spread = 0.5): number => {
      const u = Math.max(next(), 1e-9);
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
      return median * Math.exp(spread * z);
    },
    exponential: (mean: number): number => -mean * Math.log(1 - next()),
    /** Rounds a non-negative expectation to a whole count whose mean is that expectation. */
    count: (expected: number): number => {
      const whole = Math.floor(expected);
      return whole + (next() < expected - whole ? 1 : 0);
    },
    /** Sixteen hex digits: raw device ids, bundle hashes. */
    hex: (): string =>
      (Math.floor(next() * 0x100000000) >>> 0).toString(16).padStart(8, '0') +
      (Math.floor(next() * 0x100000000) >>> 0).toString(16).padStart(8, '0'),
  };
}

export type Random = ReturnType<typeof createRandom>;

/** A 32-bit seed from any text (FNV-1a), so options map to a stable PRNG stream. */
export function seedFrom(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
