import { describe, expect, it } from "vitest";
import { smoothWrrPicker, weightedRoundRobin } from "../../../src/routing/selection/weighted-round-robin.js";
import { runPickerConformance } from "./conformance.js";
import { idle, origins, seeded } from "./fixtures.js";

runPickerConformance("weighted_round_robin", weightedRoundRobin);

/** NGINX's rule written the obvious O(n) way, as the reference (ngx_http_upstream_get_peer). */
function nginxReference(weights: readonly number[]): () => number {
  const current = weights.map(() => 0);
  const total = weights.reduce((a, b) => a + b, 0);
  return () => {
    let best = -1;
    weights.forEach((w, i) => {
      current[i]! += w;
      if (best < 0 || current[i]! > current[best]!) best = i;
    });
    current[best]! -= total;
    return best;
  };
}

const names = ["a", "b", "c"];
const pickIds = (weights: number[], count: number): string[] => {
  const p = weightedRoundRobin(origins(weights), idle);
  return Array.from({ length: count }, () => p.pick({ random: () => 0.5 })!.id);
};

describe("weighted_round_robin laws", () => {
  it("interleaves like NGINX: weights 5,1,1 give a a b a c a a, cycle after cycle", () => {
    const seq = pickIds([5, 1, 1], 21).map((id) => names[Number(id.slice(1))]);
    expect(seq.join(" ")).toBe("a a b a c a a a a b a c a a a a b a c a a");
  });

  it("gives each origin exactly its weight's worth of picks in every cycle of Σweight picks", () => {
    const weights = [4, 1, 3, 2, 7];
    const seq = pickIds(weights, 17 * 3);
    for (let cycle = 0; cycle < 3; cycle++) {
      const part = seq.slice(cycle * 17, cycle * 17 + 17);
      weights.forEach((w, i) => expect(part.filter((id) => id === `o${i}`).length).toBe(w));
    }
  });

  it("is the NGINX sequence exactly, for random pools up to 400 origins", () => {
    const rnd = seeded(11);
    for (const [n, maxWeight] of [[2, 3], [9, 10], [60, 100], [400, 1000], [250, 2]] as const) {
      const weights = Array.from({ length: n }, () => 1 + Math.floor(rnd() * maxWeight));
      const p = weightedRoundRobin(origins(weights), idle);
      const ref = nginxReference(weights);
      let firstMismatch = -1;
      for (let k = 0; k < 20_000 && firstMismatch < 0; k++) if (p.pick({ random: rnd })!.id !== `o${ref()}`) firstMismatch = k;
      expect(firstMismatch).toBe(-1);
    }
  });

  it("stays exact for fractional weights and across time rebases", () => {
    const weights = [0.5, 0.25, 1.75, 0.5, 3];
    const p = smoothWrrPicker(origins(weights), 97);
    const ref = nginxReference(weights);
    for (let k = 0; k < 10_000; k++) expect(p.pick({ random: () => 0 })!.id).toBe(`o${ref()}`);
  });

  it("moves the schedule past a tried origin, and falls back when the tried one holds most weight", () => {
    const p = weightedRoundRobin(origins([1000, 1, 1]), idle);
    const exclude = new Set(["o0"]);
    const got = Array.from({ length: 20 }, () => p.pick({ random: () => 0, exclude })!.id);
    expect(got.every((id) => id !== "o0")).toBe(true);
    expect(new Set(got)).toEqual(new Set(["o1", "o2"]));
  });
});
