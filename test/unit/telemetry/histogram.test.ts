import { describe, expect, it } from "vitest";
import { BUCKET_COUNT, BUCKET_UPPER_MS, bucketOf, quantile } from "../../../src/telemetry/histogram";
import { mulberry32 } from "../../support/prng";


function nearestRank(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1] as number;
}

describe("histogram buckets", () => {
  it("has 34 log-spaced buckets with ratio √2 from 1 ms to 65.5 s", () => {
    expect(BUCKET_UPPER_MS).toHaveLength(BUCKET_COUNT - 1);
    expect(BUCKET_UPPER_MS[0]).toBe(1);
    expect(BUCKET_UPPER_MS[32]).toBe(65536);
    for (let k = 1; k < BUCKET_UPPER_MS.length; k++) {
      expect((BUCKET_UPPER_MS[k] as number) / (BUCKET_UPPER_MS[k - 1] as number)).toBeCloseTo(Math.SQRT2, 12);
    }
  });

  it("puts every value in the bucket whose bounds hold it, exact bounds inclusive", () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(-5)).toBe(0);
    expect(bucketOf(Number.NaN)).toBe(0);
    expect(bucketOf(1)).toBe(0);
    expect(bucketOf(1.0001)).toBe(1);
    expect(bucketOf(2)).toBe(2);
    expect(bucketOf(65536)).toBe(32);
    expect(bucketOf(65537)).toBe(33);
    expect(bucketOf(Number.POSITIVE_INFINITY)).toBe(33);
    const r = mulberry32(7);
    for (let i = 0; i < 5000; i++) {
      const v = 2 ** (r() * 17);
      const k = bucketOf(v);
      const lo = k === 0 ? 0 : (BUCKET_UPPER_MS[k - 1] as number);
      const hi = k === 33 ? Number.POSITIVE_INFINITY : (BUCKET_UPPER_MS[k] as number);
      expect(v > lo || k === 0).toBe(true);
      expect(v <= hi).toBe(true);
    }
    for (const [k, b] of BUCKET_UPPER_MS.entries()) expect(bucketOf(b)).toBe(k);
  });
});

describe("quantile", () => {
  it("is null for an empty histogram", () => {
    expect(quantile(new Array(BUCKET_COUNT).fill(0), 0.5)).toBeNull();
  });

  it("reads p50/p95/p99 in the same bucket as the true nearest-rank percentile", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = mulberry32(seed);
      // Log-normal-ish latencies around 40 ms with a long tail.
      const sample = Array.from({ length: 2000 }, () => Math.exp(Math.log(40) + 1.1 * (r() + r() + r() - 1.5) * 2));
      const counts = new Array<number>(BUCKET_COUNT).fill(0);
      for (const v of sample) counts[bucketOf(v)] = (counts[bucketOf(v)] ?? 0) + 1;
      const sorted = [...sample].sort((a, b) => a - b);
      for (const q of [0.5, 0.95, 0.99]) {
        const est = quantile(counts, q) as number;
        const truth = nearestRank(sorted, q);
        expect(bucketOf(est)).toBe(bucketOf(truth));
        expect(Math.max(est / truth, truth / est)).toBeLessThanOrEqual(Math.SQRT2 + 1e-9);
      }
    }
  });

  it("reads the overflow bucket as its lower bound and a single value's own bucket", () => {
    const counts = new Array<number>(BUCKET_COUNT).fill(0);
    counts[33] = 3;
    expect(quantile(counts, 0.99)).toBe(65536);
    const one = new Array<number>(BUCKET_COUNT).fill(0);
    one[bucketOf(100)] = 1;
    const v = quantile(one, 0.5) as number;
    expect(bucketOf(v)).toBe(bucketOf(100));
  });
});
