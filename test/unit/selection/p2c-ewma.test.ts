import { describe, expect, it } from "vitest";
import { p2cEwma } from "../../../src/routing/selection/p2c-ewma.js";
import { runPickerConformance } from "./conformance.js";
import { idle, loadView, origins, seeded, shares, type LoadFigures } from "./fixtures.js";

runPickerConformance("p2c_ewma", p2cEwma);

describe("p2c_ewma laws", () => {
  it("of two, takes the lower latency × (1 + outstanding / weight)", () => {
    const rnd = seeded(41);
    // a: 10 ms × (1 + 3) = 40; b: 30 ms × 1 = 30 → b.
    const load = loadView({ o0: { latencyMs: 10, outstanding: 3 }, o1: { latencyMs: 30, outstanding: 0 } });
    const p = p2cEwma(origins([1, 1]), load);
    for (let k = 0; k < 50; k++) expect(p.pick({ random: rnd })!.id).toBe("o1");
    // Weight 2 halves a's queue: 10 × (1 + 1.5) = 25 → a.
    const q = p2cEwma(origins([2, 1]), load);
    for (let k = 0; k < 50; k++) expect(q.pick({ random: rnd })!.id).toBe("o0");
  });

  it("draws two distinct origins: never the single worst, and the better half ~75% of the time", () => {
    const n = 50;
    const figures: Record<string, LoadFigures> = {};
    for (let i = 0; i < n; i++) figures[`o${i}`] = { latencyMs: 10 + i, outstanding: 0 };
    const p = p2cEwma(origins(Array.from({ length: n }, () => 1)), loadView(figures));
    const rnd = seeded(42);
    let betterHalf = 0;
    const PICKS = 40_000;
    for (let k = 0; k < PICKS; k++) {
      const i = Number(p.pick({ random: rnd })!.id.slice(1));
      expect(i).not.toBe(n - 1);
      if (i < n / 2) betterHalf++;
    }
    // P(at least one of two distinct draws in the better half) = 1 − (25/50)(24/49) ≈ 0.755.
    expect(Math.abs(betterHalf / PICKS - 0.755)).toBeLessThan(0.015);
  });

  it("steers away from an origin as its queue grows", () => {
    const rnd = seeded(43);
    const share = (outstanding: number): number => {
      const load = loadView({ o0: { outstanding }, o1: {}, o2: {} });
      const p = p2cEwma(origins([1, 1, 1]), load);
      let hits = 0;
      for (let k = 0; k < 9_000; k++) if (p.pick({ random: rnd })!.id === "o0") hits++;
      return hits / 9_000;
    };
    expect(share(0)).toBeGreaterThan(0.28);
    expect(share(2)).toBeLessThan(0.01); // o0 loses every pair it is in
  });

  it("spreads an idle pool by weight (equal costs: the weighted first draw wins)", () => {
    const weights = [1, 4, 0.25, 2];
    const p = p2cEwma(origins(weights), idle);
    const rnd = seeded(44);
    const s = shares(Array.from({ length: 100_000 }, () => p.pick({ random: rnd })!.id));
    weights.forEach((w, i) => expect(Math.abs((s.get(`o${i}`) ?? 0) - w / 7.25)).toBeLessThan(0.01));
  });

  it("treats queues in proportion to weight as equal load", () => {
    // o1 (weight 4) with 8 in flight costs what o0 (weight 1) with 2 costs; o2 with 3 is worse.
    const load = loadView({ o0: { outstanding: 2 }, o1: { outstanding: 8 }, o2: { outstanding: 3 } });
    const p = p2cEwma(origins([1, 4, 1]), load);
    const rnd = seeded(45);
    const s = shares(Array.from({ length: 30_000 }, () => p.pick({ random: rnd })!.id));
    expect(s.get("o2") ?? 0).toBe(0);
    expect((s.get("o1") ?? 0) + (s.get("o0") ?? 0)).toBeCloseTo(1, 9);
    expect(s.get("o1")!).toBeGreaterThan(s.get("o0")!); // ties go to the first, weighted draw
  });
});
