import { describe, expect, it } from "vitest";
import { candidatePools, STEERING } from "../../../src/routing/steering";
import type { PoolCandidate, PoolLoadView, SteeringInput } from "../../../src/routing/steering";
import { distanceKm } from "../../../src/routing/geo";
import { mulberry32 } from "../../support/prng";

const pools: PoolCandidate[] = [
  { id: "us-east", weight: 1, location: { lat: 38.9, lon: -77.0 } },
  { id: "eu-west", weight: 1, location: { lat: 53.35, lon: -6.26 } },
  { id: "ap-south", weight: 1, location: { lat: 1.35, lon: 103.82 } },
];

const idle: PoolLoadView = { poolOutstanding: () => 0, poolLatencyMs: () => undefined };

function input(over: Partial<SteeringInput>): SteeringInput {
  return { geo: {}, pools, geoMap: {}, load: idle, random: mulberry32(1), ...over };
}

describe("great-circle distance", () => {
  it("matches known city pairs within 1%", () => {
    // London–New York is about 5,570 km; Frankfurt–Singapore about 10,260 km.
    expect(distanceKm(51.5074, -0.1278, 40.7128, -74.006)).toBeGreaterThan(5514);
    expect(distanceKm(51.5074, -0.1278, 40.7128, -74.006)).toBeLessThan(5626);
    expect(Math.abs(distanceKm(50.11, 8.68, 1.35, 103.82) - 10260) / 10260).toBeLessThan(0.01);
    expect(distanceKm(10, 20, 10, 20)).toBe(0);
  });
});

describe("proximity", () => {
  it.each([
    ["Frankfurt", 50.11, 8.68, "eu-west"],
    ["New York", 40.71, -74.0, "us-east"],
    ["Tokyo", 35.68, 139.69, "ap-south"],
    ["São Paulo", -23.55, -46.63, "us-east"],
  ])("sends a client in %s to the nearest pool first", (_n, lat, lon, first) => {
    const order = STEERING.proximity(input({ geo: { lat, lon } }));
    expect(order[0]).toBe(first);
    expect(order).toHaveLength(3);
  });
  it("falls back to failover order without coordinates", () => {
    expect(STEERING.proximity(input({ geo: { country: "DE" } }))).toEqual(["us-east", "eu-west", "ap-south"]);
  });
});

describe("geo", () => {
  const geoMap = { DE: ["eu-west", "us-east"], EU: ["eu-west"], AS: ["ap-south"], default: ["us-east"] };
  it("uses the country entry before the continent entry", () => {
    expect(STEERING.geo(input({ geoMap, geo: { country: "DE", continent: "EU" } }))).toEqual(["eu-west", "us-east"]);
    expect(STEERING.geo(input({ geoMap, geo: { country: "FR", continent: "EU" } }))).toEqual(["eu-west"]);
    expect(STEERING.geo(input({ geoMap, geo: { country: "JP", continent: "AS" } }))).toEqual(["ap-south"]);
  });
  it("falls to default when neither matches", () => {
    expect(STEERING.geo(input({ geoMap, geo: { country: "BR", continent: "SA" } }))).toEqual(["us-east"]);
    expect(STEERING.geo(input({ geoMap, geo: {} }))).toEqual(["us-east"]);
  });
  it("candidatePools appends the fallback pool once", () => {
    expect(candidatePools("geo", input({ geoMap, geo: { country: "FR", continent: "EU" } }), "us-east")).toEqual(["eu-west", "us-east"]);
    expect(candidatePools("geo", input({ geoMap, geo: { country: "DE" } }), "us-east")).toEqual(["eu-west", "us-east"]);
  });
});

describe("random (weighted)", () => {
  it("puts pools first in proportion to their weight", () => {
    const weighted: PoolCandidate[] = [
      { id: "a", weight: 3 },
      { id: "b", weight: 1 },
      { id: "c", weight: 0 },
    ];
    const rnd = mulberry32(42);
    const firsts = { a: 0, b: 0, c: 0 } as Record<string, number>;
    const n = 20_000;
    let sawZeroWeight = false;
    for (let i = 0; i < n; i++) {
      const order = STEERING.random(input({ pools: weighted, random: rnd }));
      sawZeroWeight ||= order.includes("c");
      firsts[order[0]!]! += 1;
    }
    expect(sawZeroWeight).toBe(false);
    expect(firsts.a! / n).toBeGreaterThan(0.73);
    expect(firsts.a! / n).toBeLessThan(0.77);
  });
});

describe("least_outstanding", () => {
  it("prefers the pool with fewer requests in flight per weight", () => {
    const load: PoolLoadView = { poolOutstanding: (id) => ({ "us-east": 9, "eu-west": 2, "ap-south": 4 })[id] ?? 0, poolLatencyMs: () => undefined };
    expect(STEERING.least_outstanding(input({ load }))).toEqual(["eu-west", "ap-south", "us-east"]);
  });
  it("keeps config order on ties", () => {
    expect(STEERING.least_outstanding(input({}))).toEqual(["us-east", "eu-west", "ap-south"]);
  });
});

describe("dynamic_latency", () => {
  it("is failover order without data", () => {
    expect(STEERING.dynamic_latency(input({ geo: { colo: "FRA" } }))).toEqual(["us-east", "eu-west", "ap-south"]);
  });
  it("explores unmeasured pools, then ranks by latency for the colo", () => {
    const ms: Record<string, number> = { "FRA\u0000us-east": 120, "FRA\u0000eu-west": 15 };
    const load: PoolLoadView = { poolOutstanding: () => 0, poolLatencyMs: (c, p) => ms[`${c}\u0000${p}`] };
    expect(STEERING.dynamic_latency(input({ load, geo: { colo: "FRA" } }))).toEqual(["ap-south", "eu-west", "us-east"]);
    ms["FRA\u0000ap-south"] = 300;
    expect(STEERING.dynamic_latency(input({ load, geo: { colo: "FRA" } }))).toEqual(["eu-west", "us-east", "ap-south"]);
    // Another colo has its own figures.
    expect(STEERING.dynamic_latency(input({ load, geo: { colo: "SIN" } }))).toEqual(["us-east", "eu-west", "ap-south"]);
  });
});
