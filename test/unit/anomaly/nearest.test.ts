import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../support/prng";
import { NearestPast, RESYNC_ROWS } from "../../../src/scheduler/anomaly/nearest";

/** The definition, by brute force: every earlier stretch of m rows within the window, none overlapping the query. */
function reference(values: readonly number[], m: number, lookback: number, unit: number): { dist: number; meanGap: number; lastGap: number } {
  const held = values.slice(-(lookback + 2 * m));
  const q = held.length - 1;
  if (held.length < 3 * m) return { dist: Number.NaN, meanGap: 0, lastGap: 0 };
  let best = Number.POSITIVE_INFINITY;
  let bestEnd = -1;
  for (let e = q - m; e >= m - 1; e--) {
    let s = 0;
    for (let k = 0; k < m; k++) s += ((held[q - k] as number) - (held[e - k] as number)) ** 2;
    if (s < best || (s === best && e > bestEnd)) {
      best = s;
      bestEnd = e;
    }
  }
  let gap = 0;
  for (let k = 0; k < m; k++) gap += (held[q - k] as number) - (held[bestEnd - k] as number);
  return { dist: Math.sqrt(best / m) / unit, meanGap: gap / m, lastGap: (held[q] as number) - (held[bestEnd] as number) };
}

const rng = mulberry32;

describe("NearestPast", () => {
  it.each([
    ["daily pattern with noise", 1, (i: number, r: () => number) => 1000 + 400 * Math.sin((2 * Math.PI * i) / 48) + 30 * r()],
    ["small-valued floats", 2, (_: number, r: () => number) => 0.001 * r()],
    ["steps and repeats", 3, (i: number, r: () => number) => (Math.floor(i / 40) % 3) * 10 + (r() < 0.2 ? 5 : 0)],
  ])("matches the brute-force nearest stretch on every row: %s", (_name, seed, gen) => {
    const m = 6;
    const lookback = 150;
    const r = rng(seed);
    const nn = new NearestPast(m, lookback);
    const seen: number[] = [];
    // Past RESYNC_ROWS, and several times past the buffer's compaction.
    for (let i = 0; i < RESYNC_ROWS + 700; i++) {
      const x = gen(i, r);
      seen.push(x);
      const got = nn.push(x, 2);
      const want = reference(seen, m, lookback, 2);
      if (Number.isNaN(want.dist)) {
        expect(got.dist).toBeNaN();
        continue;
      }
      expect(got.dist).toBeCloseTo(want.dist, 6);
      // With ties the stretch found may differ; its distance may not.
      if (Math.abs(got.dist - want.dist) < 1e-9 && got.dist > 1e-6) {
        expect(got.meanGap).toBeCloseTo(want.meanGap, 6);
        expect(got.lastGap).toBeCloseTo(want.lastGap, 6);
      }
    }
  });

  it("puts a repeating pattern of floats at distance 0 from its last period", () => {
    const r = rng(4);
    const period = Array.from({ length: 7 }, () => r() * 0.3);
    const nn = new NearestPast(4, 50);
    let last = { dist: Number.NaN, meanGap: 1, lastGap: 1 };
    for (let i = 0; i < RESYNC_ROWS + 300; i++) last = nn.push(period[i % 7] as number, 1);
    expect(last.dist).toBe(0);
    expect(last.lastGap).toBe(0);
  });

  it("reports a novel stretch far from every earlier one", () => {
    const nn = new NearestPast(4, 200);
    let d = Number.NaN;
    for (let i = 0; i < 400; i++) d = nn.push(i % 10, 1).dist;
    expect(d).toBe(0);
    for (let i = 0; i < 4; i++) d = nn.push(100, 1).dist;
    expect(d).toBeGreaterThan(40);
  });
});
