import { describe, expect, it } from "vitest";
import { hash, pointCounts } from "../../../src/routing/selection/hash.js";
import type { OriginEntry } from "../../../src/routing/selection/types.js";
import { runPickerConformance } from "./conformance.js";
import { idle, origins, seeded, shares } from "./fixtures.js";

runPickerConformance("hash", hash);

const keys = Array.from({ length: 20_000 }, (_, i) => `198.51.${(i >> 8) & 255}.${i & 255}-${i}`);
const owners = (pool: readonly OriginEntry[], exclude?: ReadonlySet<string>): string[] => {
  const p = hash(pool, idle);
  return keys.map((key) => p.pick({ random: () => 0, key, exclude })!.id);
};

describe("hash laws", () => {
  const pool = origins(Array.from({ length: 40 }, () => 1));

  it("is sticky: a key keeps its origin across picks, pickers and snapshot order", () => {
    const first = owners(pool);
    expect(owners(pool)).toEqual(first);
    expect(owners([...pool].reverse())).toEqual(first);
    const p = hash(pool, idle);
    const rnd = seeded(51);
    for (let k = 0; k < 1000; k++) expect(p.pick({ random: rnd, key: keys[7]! })!.id).toBe(first[7]);
  });

  it("when an origin leaves, only its keys move", () => {
    const before = owners(pool);
    const after = owners(pool.filter((o) => o.id !== "o17"));
    let moved = 0;
    before.forEach((owner, k) => {
      if (owner !== after[k]) {
        expect(owner).toBe("o17");
        moved++;
      } else expect(owner).not.toBe("o17");
    });
    expect(moved).toBeGreaterThan(0);
  });

  it("when an origin leaves a weighted pool, only its keys move (largest weight unchanged)", () => {
    const rnd = seeded(52);
    const weighted = origins(Array.from({ length: 30 }, (_, i) => (i === 0 ? 8 : 1 + Math.floor(rnd() * 7))));
    const before = owners(weighted);
    const after = owners(weighted.filter((o) => o.id !== "o5"));
    before.forEach((owner, k) => expect(owner === after[k] || owner === "o5").toBe(true));
  });

  it("when an origin joins, keys move only to it, about its share of them", () => {
    const before = owners(pool);
    const after = owners([...pool, { id: "newcomer", weight: 1 }]);
    let moved = 0;
    before.forEach((owner, k) => {
      if (owner !== after[k]) {
        expect(after[k]).toBe("newcomer");
        moved++;
      }
    });
    const share = moved / keys.length;
    expect(share).toBeGreaterThan(0.5 / 41);
    expect(share).toBeLessThan(2 / 41);
  });

  it("a retry's next candidate is the key's owner on the ring without the tried origins", () => {
    const rnd = seeded(53);
    for (let round = 0; round < 5; round++) {
      const tried = new Set(pool.filter(() => rnd() < 0.2).map((o) => o.id));
      expect(owners(pool, tried)).toEqual(owners(pool.filter((o) => !tried.has(o.id))));
    }
  });

  it("spreads keys evenly and by weight", () => {
    const even = shares(owners(origins(Array.from({ length: 20 }, () => 1))));
    expect(even.size).toBe(20);
    for (const s of even.values()) expect(Math.abs(s - 0.05)).toBeLessThan(0.05 * 0.35);
    const weighted = shares(owners(origins([1, 3])));
    expect(Math.abs((weighted.get("o1") ?? 0) - 0.75)).toBeLessThan(0.06);
  });

  it("without a key, picks a random ring point (shares follow the weights)", () => {
    const p = hash(origins([1, 3]), idle);
    const rnd = seeded(54);
    const s = shares(Array.from({ length: 50_000 }, () => p.pick({ random: rnd })!.id));
    expect(Math.abs((s.get("o1") ?? 0) - 0.75)).toBeLessThan(0.06);
  });

  it("gives each origin points by its own weight only, while the largest weight keeps its power of two", () => {
    const weights = [8, 1, 2.5, 7, 0.01];
    const counts = pointCounts(weights);
    expect(counts).toEqual([160, 20, 50, 140, 1]);
    expect(pointCounts([8, 1, 7, 0.01])).toEqual([160, 20, 140, 1]); // 2.5 left: others unchanged
    expect(pointCounts(Array.from({ length: 10_000 }, () => 1)).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2 ** 20);
  });
});
