import { describe, expect, it } from "vitest";
import { KineticArgmax } from "../../../src/routing/selection/kinetic-tournament.js";
import { seeded } from "./fixtures.js";

/** Brute force: the first index with the largest b + w·t. */
function argmax(b: Float64Array, w: Float64Array, t: number): number {
  let best = -1;
  for (let i = 0; i < b.length; i++) if (best < 0 || b[i]! + w[i]! * t > b[best]! + w[best]! * t) best = i;
  return best;
}

describe("KineticArgmax", () => {
  it("agrees with a brute-force argmax over moving lines with random offset changes", () => {
    const rnd = seeded(61);
    for (const n of [1, 2, 3, 7, 64, 129]) {
      const b = Float64Array.from({ length: n }, () => Math.floor(rnd() * 50) - 25);
      const w = Float64Array.from({ length: n }, () => 1 + Math.floor(rnd() * 6)); // many equal slopes: ties
      const mirror = Float64Array.from(b);
      const k = new KineticArgmax(b, w);
      let t = 0;
      for (let step = 0; step < 3000; step++) {
        t += 1 + Math.floor(rnd() * 3);
        const got = k.argmaxAt(t);
        expect(got).toBe(argmax(mirror, w, t));
        const change = Math.floor(rnd() * 40) - 30;
        mirror[got] = mirror[got]! + change;
        k.setOffset(got, mirror[got]!);
      }
    }
  });

  it("answers -1 with no lines", () => {
    expect(new KineticArgmax(new Float64Array(0), new Float64Array(0)).argmaxAt(1)).toBe(-1);
  });
});
