import { describe, expect, it } from "vitest";
import { roundRobin } from "../../../src/routing/selection/round-robin.js";
import { runPickerConformance } from "./conformance.js";
import { idle, origins, seeded } from "./fixtures.js";

runPickerConformance("round_robin", roundRobin);

describe("round_robin laws", () => {
  const pool = origins([1, 5, 1, 2, 1]);

  it("visits every origin exactly once per cycle, in order, ignoring weights", () => {
    const picker = roundRobin(pool, idle);
    const rnd = seeded(1);
    const seq = Array.from({ length: 50 }, () => picker.pick({ random: rnd })!.id);
    const start = Number(seq[0]!.slice(1));
    seq.forEach((id, k) => expect(id).toBe(`o${(start + k) % 5}`));
  });

  it("starts at a random offset so isolates do not all hit origin 0 first", () => {
    const firsts = new Set<string>();
    for (let s = 0; s < 40; s++) firsts.add(roundRobin(pool, idle).pick({ random: seeded(s) })!.id);
    expect(firsts.size).toBe(5);
  });

  it("skips tried origins and carries on after the one chosen", () => {
    const picker = roundRobin(pool, idle);
    const first = picker.pick({ random: () => 0 })!; // o0
    expect(first.id).toBe("o0");
    expect(picker.pick({ random: () => 0, exclude: new Set(["o1", "o2"]) })!.id).toBe("o3");
    expect(picker.pick({ random: () => 0 })!.id).toBe("o4");
    expect(picker.pick({ random: () => 0 })!.id).toBe("o0");
  });
});
