import { describe, expect, it } from "vitest";
import { warmUpOrigins } from "../../../src/breaker/warm-up";
import { parseConfig } from "../../../src/config/schema";

interface OriginSpec {
  id: string;
  enabled?: boolean;
}

const config = (pools: Array<{ id: string; origins: OriginSpec[] }>) => {
  const r = parseConfig({
    steering: { policy: "failover" },
    pools: pools.map((p) => ({
      id: p.id,
      origins: p.origins.map((o, i) => ({ id: o.id, url: `https://o${i}.${p.id}.example`, enabled: o.enabled ?? true })),
    })),
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
};

const many = (prefix: string, n: number): OriginSpec[] => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}` }));

describe("the origins a cold isolate warms up", () => {
  it("takes every enabled origin of a small config, pools in order", () => {
    const c = config([
      { id: "a", origins: [{ id: "a0" }, { id: "a1", enabled: false }, { id: "a2" }] },
      { id: "b", origins: [{ id: "b0" }] },
    ]);
    expect(warmUpOrigins(c)).toEqual(["a0", "a2", "b0"]);
  });

  it("takes at most perPool origins from each pool, skipping disabled ones without counting them", () => {
    const c = config([
      { id: "a", origins: [{ id: "x", enabled: false }, ...many("a", 5)] },
      { id: "b", origins: many("b", 5) },
    ]);
    expect(warmUpOrigins(c, 2, 100)).toEqual(["a0", "a1", "b0", "b1"]);
  });

  it("stops at the total, so a 10,000-origin config costs a bounded number of calls", () => {
    const c = config([
      { id: "wide", origins: many("w", 10_000) },
      { id: "next", origins: many("n", 3) },
    ]);
    const ids = warmUpOrigins(c);
    expect(ids).toHaveLength(19);
    expect(ids.slice(0, 2)).toEqual(["w0", "w1"]);
    expect(ids.slice(15)).toEqual(["w15", "n0", "n1", "n2"]);
    const capped = warmUpOrigins(config(Array.from({ length: 20 }, (_, p) => ({ id: `p${p}`, origins: many(`p${p}-`, 10) }))));
    expect(capped).toHaveLength(128);
    expect(new Set(capped).size).toBe(128);
    // Pools in config order: the first 12 pools whole (120), then 8 of the 13th.
    expect(capped.at(-1)).toBe("p12-7");
  });
});
