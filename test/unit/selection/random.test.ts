import { describe, expect, it } from "vitest";
import { random } from "../../../src/routing/selection/random.js";
import { AliasTable } from "../../../src/routing/selection/weighted-sampler.js";
import { runPickerConformance } from "./conformance.js";
import { idle, origins, seeded, shares } from "./fixtures.js";

runPickerConformance("random", random);

describe("random laws", () => {
  const PICKS = 200_000;
  // With 200k picks a share's standard error is ≤ 0.0012; 0.006 is five of them.
  const TOLERANCE = 0.006;

  it("picks in proportion to weight", () => {
    const weights = [1, 2, 3, 4, 0.5, 9.5];
    const total = weights.reduce((a, b) => a + b, 0);
    const p = random(origins(weights), idle);
    const rnd = seeded(21);
    const s = shares(Array.from({ length: PICKS }, () => p.pick({ random: rnd })!.id));
    weights.forEach((w, i) => expect(Math.abs((s.get(`o${i}`) ?? 0) - w / total)).toBeLessThan(TOLERANCE));
  });

  it("renormalises the weights over the origins a retry has not tried", () => {
    const weights = [1, 2, 3, 4];
    const p = random(origins(weights), idle);
    const rnd = seeded(22);
    const exclude = new Set(["o3"]);
    const s = shares(Array.from({ length: PICKS }, () => p.pick({ random: rnd, exclude })!.id));
    expect(s.get("o3")).toBeUndefined();
    [1, 2, 3].forEach((w, i) => expect(Math.abs((s.get(`o${i}`) ?? 0) - w / 6)).toBeLessThan(TOLERANCE));
  });

  it("keeps a tiny weight's share even when the rest is excluded by weight", () => {
    const p = random(origins([1000, 0.001, 0.002]), idle);
    const rnd = seeded(23);
    const s = shares(Array.from({ length: 30_000 }, () => p.pick({ random: rnd, exclude: new Set(["o0"]) })!.id));
    expect(Math.abs((s.get("o2") ?? 0) - 2 / 3)).toBeLessThan(0.02);
  });

  it("alias table columns reproduce the weights exactly", () => {
    const weights = [5, 1, 1, 0.25, 12];
    const table = new AliasTable(weights);
    // Sweep u over a fine grid: the fraction of u mapped to each column equals its share.
    const N = 100_000;
    const counts = new Map<number, number>();
    for (let k = 0; k < N; k++) {
      const u = (k + 0.5) / N;
      const i = table.draw(() => u);
      counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    weights.forEach((w, i) => expect(Math.abs((counts.get(i) ?? 0) / N - w / 19.25)).toBeLessThan(1e-4));
  });
});
