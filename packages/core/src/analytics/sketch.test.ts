import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeviceSketch, SKETCH_RELATIVE_ACCURACY, ValueSketch } from './sketch.ts';

/** Nearest-rank quantile of sorted values, as PostgreSQL's percentile_disc. */
const exact = (sorted: number[], q: number) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;

function lcgRandom(seed: number) {
  let s = seed;
  return () => (s = (s * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;
}

describe('ValueSketch', () => {
  it('answers every quantile within 1% of the exact nearest-rank value, on skewed data', () => {
    const random = lcgRandom(7);
    // Log-normal-ish load times with a long tail, plus some zeros.
    const values = Array.from({ length: 20_000 }, (_, i) =>
      i % 500 === 0 ? 0 : Math.exp(6 + 1.2 * (random() + random() - 1) * 2),
    );
    const sketch = new ValueSketch();
    for (const v of values) sketch.add(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1]) {
      const truth = exact(sorted, q);
      const got = sketch.quantile(q)!;
      expect(Math.abs(got - truth)).toBeLessThanOrEqual(truth * SKETCH_RELATIVE_ACCURACY + 1e-9);
    }
  });

  it('merges hours into a day exactly as if the day had been sketched at once', () => {
    const random = lcgRandom(3);
    const hours = Array.from({ length: 24 }, () => Array.from({ length: 300 }, () => random() * 5000 - 100));
    const day = new ValueSketch();
    for (const v of hours.flat()) day.add(v);
    const merged = hours
      .map((h) => ValueSketch.decode(h.reduce((s, v) => s.add(v), new ValueSketch()).encode()))
      .reduce((a, b) => a.merge(b), new ValueSketch());
    expect(merged.count).toBe(7200);
    for (const q of [0.05, 0.5, 0.75, 0.99]) expect(merged.quantile(q)).toBe(day.quantile(q));
    expect(merged.encode().equals(day.encode())).toBe(true);
  });

  it('is empty-safe', () => {
    expect(new ValueSketch().quantile(0.5)).toBeNull();
    expect(ValueSketch.decode(null).count).toBe(0);
  });
});

describe('DeviceSketch', () => {
  it('counts small sets exactly enough and large ones within 2%', () => {
    for (const n of [1, 10, 1000, 50_000]) {
      const sketch = new DeviceSketch();
      for (let i = 0; i < n; i++) {
        // A stand-in hash: the SQL side uses hashtextextended; here any well-mixed 64-bit value.
        const h = createHash('sha256').update(`device-${i}`).digest().readBigUInt64LE(0);
        const register = Number(h & 16383n);
        const rest = h >> 14n;
        const rank = rest === 0n ? 51 : 50 - rest.toString(2).length + 1;
        sketch.set(register, rank);
      }
      const estimate = DeviceSketch.decode(sketch.encode()).estimate();
      expect(Math.abs(estimate - n)).toBeLessThanOrEqual(Math.max(1, n * 0.02));
    }
  });
});
