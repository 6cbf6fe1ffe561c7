import { describe, expect, it } from "vitest";
import { firstLimits, limitUses } from "../../../bench/fleet/limits.js";
import {
  cronStatementsPerMinute,
  flushCycleS,
  fleetLoad,
  keysInWindow,
  parseFleet,
  refreshCycleS,
  reportCycleS,
  saturatedPerIsolate,
  statementsPerFlush,
  type FleetInput,
} from "../../../bench/fleet/model.js";
import { redesigns } from "../../../bench/fleet/redesign.js";
import { mulberry32, simulate } from "../../../bench/fleet/sim.js";

const load = (input: FleetInput) => fleetLoad(parseFleet(input));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("per-isolate cycles", () => {
  it("tend to the timer interval when busy and to the arrival gap when idle", () => {
    expect(flushCycleS(1e4, 10)).toBeCloseTo(10, 6);
    expect(rel(flushCycleS(1e-6, 10), 1e6)).toBeLessThan(1e-3); // every flush request-triggered
    expect(refreshCycleS(1e4, 5)).toBeCloseTo(5, 3);
    expect(reportCycleS(1e4, 3e4, 1)).toBeCloseTo(1, 3);
    // A quiet origin reports about once per request to it.
    expect(rel(reportCycleS(0.01, 0.03, 1), 100)).toBeLessThan(0.02);
  });

  it("never shrink as traffic grows", () => {
    let prev = { f: Infinity, r: Infinity, b: Infinity };
    for (const lambda of [0.01, 0.1, 1, 10, 100]) {
      const now = { f: flushCycleS(lambda, 10), r: refreshCycleS(lambda, 5), b: reportCycleS(lambda / 3, lambda, 1) };
      expect(now.f).toBeLessThanOrEqual(prev.f);
      expect(now.r).toBeLessThanOrEqual(prev.r);
      expect(now.b).toBeLessThanOrEqual(prev.b);
      prev = now;
    }
  });

  it("match the measured per-1,000-request figures (bench/results/latest.json)", () => {
    // bench/telemetry.ts: one isolate, 3 pools × 2 origins × 30 countries, flush 10 s:
    // 2 statements per 1,000 requests at 100 rps, 0.2 at 1,000.
    for (const [rps, per1000] of [[100, 2], [1000, 0.2]] as const) {
      const stmts = statementsPerFlush(keysInWindow(180, rps, 10), 6, 30) / flushCycleS(rps, 10);
      expect(rel((stmts * 1000) / rps, per1000)).toBeLessThan(0.01);
    }
    // bench/breaker.mjs warm path: 4 isolates × 200 rps, 4 origins, staleness 1 s: 20 calls per 1,000 requests.
    const calls = (4 * 4) / reportCycleS(50, 200, 1);
    expect(rel((calls * 1000) / 800, 20)).toBeLessThan(0.01);
  });
});

describe("flush statements come from the real chunker", () => {
  it("is the flush id plus one upsert for a typical flush, more past 400 rows or 100 strings", () => {
    expect(statementsPerFlush(1, 3, 3)).toBe(2);
    expect(statementsPerFlush(9, 3, 3)).toBe(2);
    expect(statementsPerFlush(500, 3, 3)).toBe(3); // 400 rows a statement
    expect(statementsPerFlush(500, 200, 30)).toBeGreaterThan(3); // 100 bound strings a statement
  });
});

describe("fleet scaling laws", () => {
  it("D1 load scales with busy isolates, not with requests, once batching saturates", () => {
    const a = load({ totalRps: 1e6, isolatesPerLocation: 4 });
    const b = load({ totalRps: 1e7, isolatesPerLocation: 4 });
    const c = load({ totalRps: 1e7, isolatesPerLocation: 8 });
    expect(rel(b.d1.writesPerS, a.d1.writesPerS)).toBeLessThan(0.01);
    const cron = cronStatementsPerMinute(parseFleet({ totalRps: 1, isolatesPerLocation: 1 }));
    const cronPerS = (cron.reads + cron.writes) / 60;
    expect(rel(c.d1.queriesPerS - cronPerS, 2 * (b.d1.queriesPerS - cronPerS))).toBeLessThan(0.01);
    const sat = saturatedPerIsolate(parseFleet({ totalRps: 1, isolatesPerLocation: 1 }).design);
    expect(rel(c.d1.queriesPerS - cronPerS, c.isolates * sat.d1QueriesPerS)).toBeLessThan(0.01);
  });

  it("below saturation more traffic means more statements, and fewer per request", () => {
    const lo = load({ totalRps: 300, isolatesPerLocation: 16 });
    const hi = load({ totalRps: 3000, isolatesPerLocation: 16 });
    expect(hi.d1.queriesPerS).toBeGreaterThan(lo.d1.queriesPerS * 1.5);
    expect(hi.d1.queriesPerS / 3000).toBeLessThan(lo.d1.queriesPerS / 300);
  });

  it("the hottest breaker object hears once per staleness interval from each busy isolate of its pool", () => {
    const m = load({ totalRps: 1e8, isolatesPerLocation: 4, pools: 3, locations: 300 });
    expect(rel(m.durableObjects.hottestObjectPerS, 100 * 4)).toBeLessThan(0.01);
    expect(rel(m.durableObjects.callsPerS, 1200 * 3)).toBeLessThan(0.01);
    // Halving staleness doubles it.
    const fast = load({ totalRps: 1e8, isolatesPerLocation: 4, design: { stalenessS: 0.5 } });
    expect(rel(fast.durableObjects.hottestObjectPerS, 800)).toBeLessThan(0.01);
  });

  it("an elastic fleet adds isolates where traffic is, so load grows with rps", () => {
    const a = load({ totalRps: 1e6, isolatesPerLocation: 1, maxRpsPerIsolate: 2000 });
    const b = load({ totalRps: 4e6, isolatesPerLocation: 1, maxRpsPerIsolate: 2000 });
    expect(b.isolates).toBeGreaterThan(a.isolates * 2);
    expect(b.d1.queriesPerS).toBeGreaterThan(a.d1.queriesPerS * 2);
  });

  it("a colo hub makes D1 and the breaker objects independent of isolates per location", () => {
    const few = redesigns(parseFleet({ totalRps: 1e7, isolatesPerLocation: 2 }));
    const many = redesigns(parseFleet({ totalRps: 1e7, isolatesPerLocation: 32 }));
    const hub = (r: typeof few) => r.find((x) => x.name.startsWith("colo hub"));
    expect(hub(many)?.d1QueriesPerS).toBeCloseTo(hub(few)?.d1QueriesPerS ?? -1, 6);
    expect(hub(many)?.hottestObjectPerS).toBeCloseTo(hub(few)?.hottestObjectPerS ?? -1, 6);
    expect(many[0]?.d1QueriesPerS).toBeCloseTo((few[0]?.d1QueriesPerS ?? 0) * 16, 3);
  });
});

describe("first-limit solver", () => {
  it("finds the rps where a limit's utilisation crosses 1", () => {
    const base = { isolatesPerLocation: 16 };
    const r = firstLimits(base);
    expect(r.first?.id).toBe("d1_queries");
    for (const x of r.all) {
      if (x.rps === null) continue;
      const u = (rps: number) => limitUses(parseFleet({ ...base, totalRps: rps })).find((l) => l.id === x.id)?.utilisation ?? 0;
      expect(u(x.rps * 1.0001)).toBeGreaterThanOrEqual(1);
      expect(u(x.rps * 0.999)).toBeLessThan(1);
    }
    const order = r.all.filter((x) => x.rps !== null).map((x) => x.rps ?? 0);
    expect(Math.min(...order)).toBe(r.first?.rps);
  });

  it("reports no limit when saturation stays below every one, and rejects a bad range", () => {
    expect(firstLimits({ isolatesPerLocation: 1 }).first).toBeNull();
    expect(() => firstLimits({ isolatesPerLocation: 1 }, undefined, 10, 5)).toThrow(/loRps/);
  });

  it("more isolates per location reach a limit at a lower rps", () => {
    const at = (k: number) => firstLimits({ isolatesPerLocation: k }).all.find((x) => x.id === "do_object")?.rps ?? Infinity;
    expect(at(32)).toBeLessThan(at(16));
  });
});

describe("simulation agrees with the closed form", () => {
  const opts = { durationS: 120, warmupS: 30, dtMs: 5, jitterMs: 50 };
  it.each([
    [2_000, 4],
    [50_000, 8],
  ])("at %i rps, %i isolates per location (30 locations)", (rps, k) => {
    const f = parseFleet({ totalRps: rps, isolatesPerLocation: k, locations: 30 });
    const m = fleetLoad(f);
    const s = simulate(f, { ...opts, random: mulberry32(1) });
    expect(rel(s.d1WritesPerS, m.d1.writesPerS)).toBeLessThan(0.05);
    expect(rel(s.d1QueriesPerS, m.d1.queriesPerS)).toBeLessThan(0.05);
    expect(rel(s.doCallsPerS, m.durableObjects.callsPerS)).toBeLessThan(0.05);
    expect(rel(s.hottestObjectPerS, m.durableObjects.hottestObjectPerS)).toBeLessThan(0.08);
  });

  it("at low traffic, where requests rather than timers trigger flushes and reports", () => {
    const f = parseFleet({ totalRps: 15, isolatesPerLocation: 1, locations: 30 });
    const m = fleetLoad(f);
    const s = simulate(f, { ...opts, durationS: 2400, random: mulberry32(2) });
    expect(rel(s.flushesPerS, m.d1.flushesPerS)).toBeLessThan(0.02);
    expect(rel(s.d1QueriesPerS, m.d1.queriesPerS)).toBeLessThan(0.02);
    expect(rel(s.doCallsPerS, m.durableObjects.callsPerS)).toBeLessThan(0.02);
  });

  it("is reproducible from its seed", () => {
    const f = parseFleet({ totalRps: 500, isolatesPerLocation: 2, locations: 10 });
    const run = (seed: number) => simulate(f, { ...opts, durationS: 30, random: mulberry32(seed) });
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
  });
});

describe("bad inputs", () => {
  it.each<[string, FleetInput, RegExp]>([
    ["negative rps", { totalRps: -1, isolatesPerLocation: 1 }, /totalRps/],
    ["fractional isolates", { totalRps: 10, isolatesPerLocation: 1.5 }, /isolatesPerLocation/],
    ["no locations", { totalRps: 10, isolatesPerLocation: 1, locations: 0 }, /locations/],
    ["more pools than locations", { totalRps: 10, isolatesPerLocation: 1, locations: 2, pools: 3 }, /pools/],
    ["zero staleness", { totalRps: 10, isolatesPerLocation: 1, design: { stalenessS: 0 } }, /design\.stalenessS/],
  ])("rejects %s, naming the field", (_, input, field) => {
    expect(() => parseFleet(input)).toThrow(field);
  });

  it("rejects unknown fields and bad simulation options", () => {
    expect(() => parseFleet({ totalRps: 10, isolatesPerLocation: 1, isolates: 3 } as FleetInput)).toThrow(/isolates/);
    const f = parseFleet({ totalRps: 10, isolatesPerLocation: 1, locations: 1, pools: 1 });
    expect(() => simulate(f, { durationS: 0, warmupS: 0, dtMs: 5, jitterMs: 0, random: mulberry32(1) })).toThrow(/durationS/);
  });
});
