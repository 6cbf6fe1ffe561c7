import { describe, expect, it } from "vitest";
import { EXACT_SCAN_MAX, score, scoreCost } from "../../../src/routing/selection/score.js";
import type { OriginEntry } from "../../../src/routing/selection/types.js";
import { runPickerConformance } from "./conformance.js";
import { idle, loadView, origins, seeded, shares, type LoadFigures } from "./fixtures.js";

runPickerConformance("score", score);

const costOf = (o: Partial<OriginEntry>, f: LoadFigures): number =>
  scoreCost({ id: "x", weight: 1, ...o }, loadView({ x: f }));

describe("score laws", () => {
  it("computes the documented formula", () => {
    // (40 ms + 2,000 km / 100) × (1 + 3/2) × (1 + 10 × 0.05) / (1 − 60/100)
    const c = costOf({ weight: 2, distanceKm: 2000, capacityRps: 100 }, { latencyMs: 40, outstanding: 3, errorRate: 0.05, rps: 60 });
    expect(c).toBeCloseTo((60 * 2.5 * 1.5) / 0.4, 9);
    expect(costOf({}, { latencyMs: 20 })).toBe(20); // idle, no errors, no capacity or distance known
  });

  it("rises with latency, distance, queue, errors and load; falls with weight", () => {
    const base = { latencyMs: 30, outstanding: 2, errorRate: 0.1, rps: 50 };
    const o = { distanceKm: 500, capacityRps: 200, weight: 1 };
    const c0 = costOf(o, base);
    expect(costOf(o, { ...base, latencyMs: 31 })).toBeGreaterThan(c0);
    expect(costOf({ ...o, distanceKm: 900 }, base)).toBeGreaterThan(c0);
    expect(costOf(o, { ...base, outstanding: 3 })).toBeGreaterThan(c0);
    expect(costOf(o, { ...base, errorRate: 0.2 })).toBeGreaterThan(c0);
    expect(costOf(o, { ...base, rps: 120 })).toBeGreaterThan(c0);
    expect(costOf({ ...o, weight: 2 }, base)).toBeLessThan(c0);
  });

  it("caps the headroom penalty at 20× for an origin at or over capacity", () => {
    const at = costOf({ capacityRps: 100 }, { latencyMs: 10, rps: 100 });
    const over = costOf({ capacityRps: 100 }, { latencyMs: 10, rps: 500 });
    expect(at).toBeCloseTo(200, 9);
    expect(over).toBeCloseTo(200, 9);
  });

  it("small pools: takes the best origin; a retry takes the next best", () => {
    const pool = origins([1, 1, 1, 1]).map((o, i) => ({ ...o, distanceKm: [8000, 300, 100, 6000][i] }));
    const load = loadView({ o0: { latencyMs: 10 }, o1: { latencyMs: 12 }, o2: { latencyMs: 15, errorRate: 0.3 }, o3: { latencyMs: 5 } });
    // costs: o0 90, o1 15, o2 64, o3 65
    const p = score(pool, load);
    const rnd = seeded(71);
    for (let k = 0; k < 100; k++) expect(p.pick({ random: rnd })!.id).toBe("o1");
    expect(p.pick({ random: rnd, exclude: new Set(["o1"]) })!.id).toBe("o2");
  });

  it("small pools: a cold pool (all costs equal) is spread by weight", () => {
    const p = score(origins([1, 3, 4]), idle);
    const rnd = seeded(72);
    const s = shares(Array.from({ length: 80_000 }, () => p.pick({ random: rnd })!.id));
    [1, 3, 4].forEach((w, i) => expect(Math.abs((s.get(`o${i}`) ?? 0) - w / 8)).toBeLessThan(0.01));
  });

  it("large pools: best of sampled origins, never the single worst, and mostly the better ones", () => {
    const n = EXACT_SCAN_MAX * 8;
    const figures: Record<string, LoadFigures> = {};
    for (let i = 0; i < n; i++) figures[`o${i}`] = { latencyMs: 10 + i };
    const p = score(origins(Array.from({ length: n }, () => 1)), loadView(figures));
    const rnd = seeded(73);
    let betterQuarter = 0;
    const PICKS = 20_000;
    for (let k = 0; k < PICKS; k++) {
      const i = Number(p.pick({ random: rnd })!.id.slice(1));
      expect(i).not.toBe(n - 1);
      if (i < n / 4) betterQuarter++;
    }
    // Best of 4 distinct draws lands in the best quarter with P ≈ 1 − (3/4)^4 ≈ 0.68.
    expect(Math.abs(betterQuarter / PICKS - 0.68)).toBeLessThan(0.02);
  });
});
