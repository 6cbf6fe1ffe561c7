import { describe, expect, it } from "vitest";
import { EXACT_SCAN_MAX, leastOutstanding } from "../../../src/routing/selection/least-outstanding.js";
import { runPickerConformance } from "./conformance.js";
import { idle, loadView, origins, seeded, shares, type LoadFigures } from "./fixtures.js";

runPickerConformance("least_outstanding", leastOutstanding);

describe("least_outstanding laws", () => {
  it("small pools: always the fewest in flight per unit of weight", () => {
    const pool = origins([1, 1, 2, 1]);
    const load = loadView({ o0: { outstanding: 3 }, o1: { outstanding: 2 }, o2: { outstanding: 3 }, o3: { outstanding: 5 } });
    const p = leastOutstanding(pool, load);
    const rnd = seeded(31);
    // o2 has 3 in flight but weight 2: 1.5 per unit, below o1's 2.
    for (let k = 0; k < 200; k++) expect(p.pick({ random: rnd })!.id).toBe("o2");
    expect(p.pick({ random: rnd, exclude: new Set(["o2"]) })!.id).toBe("o1");
  });

  it("small pools: ties (an idle pool) are broken at random in proportion to weight", () => {
    const p = leastOutstanding(origins([1, 3, 1, 5]), idle);
    const rnd = seeded(32);
    const s = shares(Array.from({ length: 100_000 }, () => p.pick({ random: rnd })!.id));
    [1, 3, 1, 5].forEach((w, i) => expect(Math.abs((s.get(`o${i}`) ?? 0) - w / 10)).toBeLessThan(0.01));
  });

  const n = EXACT_SCAN_MAX * 10;
  const big = origins(Array.from({ length: n }, () => 1));
  const figures: Record<string, LoadFigures> = {};
  big.forEach((o, i) => (figures[o.id] = { outstanding: i % 10 }));
  figures["o7"] = { outstanding: 50 }; // the single most loaded

  it("large pools (two choices): never the single most loaded, and well below average load", () => {
    const p = leastOutstanding(big, loadView(figures));
    const rnd = seeded(33);
    let sum = 0;
    const PICKS = 20_000;
    for (let k = 0; k < PICKS; k++) {
      const got = p.pick({ random: rnd })!;
      expect(got.id).not.toBe("o7");
      sum += figures[got.id]!.outstanding!;
    }
    // Pool mean ≈ 4.8; best of two uniform draws from 0..9 has mean ≈ 2.85.
    expect(sum / PICKS).toBeLessThan(3.2);
    expect(sum / PICKS).toBeGreaterThan(2.5);
  });

  it("large pools: an idle pool is served in proportion to weight", () => {
    const weights = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 3));
    const p = leastOutstanding(origins(weights), idle);
    const rnd = seeded(34);
    const s = shares(Array.from({ length: 80_000 }, () => p.pick({ random: rnd })!.id));
    let heavy = 0;
    s.forEach((v, id) => (Number(id.slice(1)) % 2 === 1 ? (heavy += v) : 0));
    expect(Math.abs(heavy - 0.75)).toBeLessThan(0.01);
  });
});
