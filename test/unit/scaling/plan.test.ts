import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { activeAnomaly } from "../../../src/scheduler/anomaly/active";
import type { ActiveAnomaly } from "../../../src/scheduler/anomaly/types";
import { forecastPeak, instancesFor, type PlanForecast } from "../../../src/scheduler/scaling/peak";
import { plan, type PlanInput } from "../../../src/scheduler/scaling/plan";
import { DEFAULT_POLICY } from "../../../src/scheduler/scaling/policy";

const NOW = Date.UTC(2026, 0, 10, 12, 0);
const MIN = 60_000;
const STEP = 5 * MIN;

/** A forecast made now whose 12 points all say `rps` (stored as requests per minute). */
function flat(rps: number, opts: { at?: number; hi?: number | null } = {}): PlanForecast {
  const t0 = NOW - (NOW % STEP);
  return {
    at: opts.at ?? NOW,
    stepMs: STEP,
    model: "test",
    points: Array.from({ length: 12 }, (_, k) => ({ t: t0 + k * STEP, mean: rps * 60, hi90: opts.hi === undefined ? rps * 60 : opts.hi === null ? null : opts.hi * 60 })),
  };
}

/** rps_per_instance 100, headroom 0: instances = ceil(rps / 100). */
function input(over: Partial<PlanInput> = {}): PlanInput {
  return {
    now: NOW,
    mode: "forecast_and_scale",
    min: 2,
    max: 20,
    rpsPerInstance: 100,
    headroom: 0,
    current: 5,
    forecast: flat(500),
    data: { from: NOW - 2 * 86_400_000, to: NOW - MIN },
    anomaly: null,
    recent: [],
    lastChangeAt: null,
    policy: DEFAULT_POLICY,
    ...over,
  };
}

const upAnomaly = (sustainedMs: number): ActiveAnomaly => ({ kind: "level_shift", direction: "up", score: 0.8, reason: "test", since: NOW - sustainedMs, sustainedMs });
const downAnomaly: ActiveAnomaly = { kind: "flat_line", direction: "down", score: 0.8, reason: "test", since: NOW - 10 * MIN, sustainedMs: 10 * MIN };

describe("plan: table", () => {
  const cases: [string, Partial<PlanInput>, number, string][] = [
    ["forecast needs 9 of 5: scale out", { forecast: flat(900) }, 9, "scale_out"],
    ["6 of 5 is a 20% change: outside the dead-band", { forecast: flat(530), current: 5 }, 6, "scale_out"],
    ["18 of 20 is inside the dead-band", { forecast: flat(1790), current: 20, max: 40 }, 20, "within_tolerance"],
    ["11 of 10 is inside the dead-band", { forecast: flat(1050), current: 10 }, 10, "within_tolerance"],
    ["12 of 10 leaves it", { forecast: flat(1150), current: 10 }, 12, "scale_out"],
    ["scale-out step limit: from 5 at most +5", { forecast: flat(1900) }, 10, "step_limit"],
    ["scale-out step limit: from 1 at most +4", { forecast: flat(1900), current: 1, min: 1 }, 5, "step_limit"],
    ["a forecast never pushes past max", { forecast: flat(5000), current: 18 }, 20, "clamped_max"],
    ["at max and asked for more: clamped_max, no change", { forecast: flat(5000), current: 20 }, 20, "clamped_max"],
    ["below min from nothing", { forecast: flat(0), current: 0 }, 2, "clamped_min"],
    ["scale in when every guard passes", { forecast: flat(300), current: 5 }, 3, "scale_in"],
    ["scale-in step limit: from 10 at most −5", { forecast: flat(100), current: 10, min: 1 }, 5, "step_limit"],
    ["scale in to min", { forecast: flat(0), current: 3 }, 2, "clamped_min"],
    ["stabilization: a higher recommendation 2 min ago holds", { forecast: flat(300), recent: [{ at: NOW - 2 * MIN, recommendation: 5 }] }, 5, "stabilization"],
    ["stabilization: scale in only to the window's max", { forecast: flat(300), current: 6, recent: [{ at: NOW - 2 * MIN, recommendation: 4 }] }, 4, "stabilization"],
    ["stabilization: a recommendation older than the window is ignored", { forecast: flat(300), recent: [{ at: NOW - 6 * MIN, recommendation: 5 }] }, 3, "scale_in"],
    ["cooldown after a change blocks scale-in", { forecast: flat(300), lastChangeAt: NOW - 2 * MIN }, 5, "cooldown"],
    ["cooldown never delays scale-out", { forecast: flat(900), lastChangeAt: NOW - MIN }, 9, "scale_out"],
    ["stale forecast: no scale-in", { forecast: flat(300, { at: NOW - 3 * MIN }) }, 5, "stale_data"],
    ["stale rollups: no scale-in", { forecast: flat(300), data: { from: NOW - 86_400_000, to: NOW - 11 * MIN } }, 5, "stale_data"],
    ["stale forecast may still scale out", { forecast: flat(900, { at: NOW - 3 * MIN }) }, 9, "scale_out"],
    ["too short a history: no scale-in", { forecast: flat(300), data: { from: NOW - 30 * MIN, to: NOW - MIN } }, 5, "short_data"],
    ["no rollups at all: no scale-in", { forecast: flat(300), data: { from: null, to: null } }, 5, "missing_data"],
    ["no forecast: hold", { forecast: null }, 5, "missing_data"],
    ["no forecast but below min: raise to min", { forecast: null, current: 1 }, 2, "clamped_min"],
    ["no forecast and above max: lower to max", { forecast: null, current: 25 }, 20, "clamped_max"],
    ["upward anomaly blocks scale-in", { forecast: flat(300), anomaly: upAnomaly(20 * MIN) }, 5, "anomaly_blocks_scale_in"],
    ["sustained upward anomaly allows scale-out", { forecast: flat(900), anomaly: upAnomaly(20 * MIN) }, 9, "scale_out"],
    ["a short upward spike holds capacity", { forecast: flat(900), anomaly: upAnomaly(5 * MIN) }, 5, "anomaly_holds"],
    ["a downward anomaly holds both ways", { forecast: flat(300), anomaly: downAnomaly }, 5, "anomaly_blocks_scale_in"],
    ["the cloud's MaxSize narrows max", { forecast: flat(1500), current: 8, cloud: { max: 12 } }, 12, "clamped_max"],
    ["mode off touches nothing", { mode: "off", forecast: flat(1900) }, 5, "mode_off"],
    ["forecast_only plans the same", { mode: "forecast_only", forecast: flat(900) }, 9, "scale_out"],
  ];
  it.each(cases)("%s", (_name, over, desired, reason) => {
    const p = plan(input(over));
    expect({ desired: p.desired, reason: p.reason }).toEqual({ desired, reason });
  });

  it("sizes from the upper 90% bound where there is one, the mean where there is none", () => {
    expect(plan(input({ forecast: flat(500, { hi: 900 }) })).desired).toBe(9);
    expect(plan(input({ forecast: flat(900, { hi: null }) })).peak?.bound).toBe("mean");
  });

  it("plans the load lead_s ahead: a rise 20 min out is ignored, 5 min out is not", () => {
    const t0 = NOW - (NOW % STEP);
    const rising = (atMin: number): PlanForecast => ({
      at: NOW,
      stepMs: STEP,
      model: "t",
      points: Array.from({ length: 12 }, (_, k) => ({ t: t0 + k * STEP, mean: (k * STEP >= atMin * MIN ? 900 : 500) * 60, hi90: null })),
    });
    expect(plan(input({ forecast: rising(20) })).desired).toBe(5);
    expect(plan(input({ forecast: rising(5) })).desired).toBe(9);
  });

  it("headroom and rps_per_instance size it: ceil(rps × (1 + headroom) / rps_per_instance)", () => {
    expect(instancesFor(1000, 0.2, 100)).toBe(12);
    expect(instancesFor(1001, 0.2, 100)).toBe(13);
    expect(plan(input({ forecast: flat(700), headroom: 0.2 })).desired).toBe(9);
  });

  it("reads the anomaly the detector reports through activeAnomaly", () => {
    const flags = [5, 6, 7].map((index) => ({ index, t: NOW - (7 - index) * STEP, kind: "level_shift" as const, direction: "up" as const, score: 0.7, reason: "r" }));
    const a = activeAnomaly(flags, 7, STEP);
    expect(plan(input({ forecast: flat(300), anomaly: a })).reason).toBe("anomaly_blocks_scale_in");
  });

  it("forecastPeak ignores points outside [now, now + lead + step)", () => {
    const f: PlanForecast = { at: NOW, stepMs: STEP, model: "t", points: [{ t: NOW - 2 * STEP, mean: 6000, hi90: null }, { t: NOW, mean: 600, hi90: null }, { t: NOW + 3 * STEP, mean: 9000, hi90: null }] };
    expect(forecastPeak(f, NOW, 300_000)?.rps).toBe(10);
  });
});

const arbInput = fc.record({
  min: fc.integer({ min: 0, max: 10 }),
  span: fc.integer({ min: 0, max: 40 }),
  current: fc.integer({ min: 0, max: 80 }),
  rps: fc.double({ min: 0, max: 20_000, noNaN: true }),
  hi: fc.option(fc.double({ min: 0, max: 30_000, noNaN: true })),
  headroom: fc.double({ min: 0, max: 2, noNaN: true }),
  rpi: fc.double({ min: 1, max: 500, noNaN: true }),
  forecastAgeMin: fc.integer({ min: 0, max: 30 }),
  dataAgeMin: fc.integer({ min: 0, max: 30 }),
  historyMin: fc.integer({ min: 0, max: 3000 }),
  recent: fc.array(fc.record({ ago: fc.integer({ min: 0, max: 600 }), recommendation: fc.integer({ min: 0, max: 60 }) }), { maxLength: 6 }),
  changedAgo: fc.option(fc.integer({ min: 0, max: 900 })),
  anomaly: fc.option(fc.constantFrom(upAnomaly(20 * MIN), upAnomaly(MIN), downAnomaly)),
  hasForecast: fc.boolean(),
  mode: fc.constantFrom("forecast_only" as const, "forecast_and_scale" as const),
});

type Arb = typeof arbInput extends fc.Arbitrary<infer T> ? T : never;

function build(a: Arb): PlanInput {
  return input({
    mode: a.mode,
    min: a.min,
    max: a.min + a.span + 1,
    current: a.current,
    headroom: a.headroom,
    rpsPerInstance: a.rpi,
    forecast: a.hasForecast ? flat(a.rps, { at: NOW - a.forecastAgeMin * MIN, hi: a.hi }) : null,
    data: { from: NOW - a.dataAgeMin * MIN - a.historyMin * MIN, to: NOW - a.dataAgeMin * MIN },
    recent: a.recent.map((r) => ({ at: NOW - r.ago * 1000, recommendation: r.recommendation })),
    lastChangeAt: a.changedAgo === null ? null : NOW - a.changedAgo * 1000,
    anomaly: a.anomaly,
  });
}

describe("plan: properties", () => {
  it("desired is never outside [min, max]", () => {
    fc.assert(fc.property(arbInput, (a) => {
      const i = build(a);
      const p = plan(i);
      expect(p.desired).toBeGreaterThanOrEqual(i.min);
      expect(p.desired).toBeLessThanOrEqual(i.max);
    }), { numRuns: 2000 });
  });

  it("never scales in (inside the bounds) on stale, short or missing data, or during an anomaly", () => {
    fc.assert(fc.property(arbInput, (a) => {
      const i = build(a);
      const p = plan(i);
      const inside = i.current >= i.min && i.current <= i.max;
      const distrusted = !i.forecast || a.forecastAgeMin * MIN > DEFAULT_POLICY.maxForecastAgeMs || a.dataAgeMin * MIN > DEFAULT_POLICY.maxDataAgeMs || a.historyMin * MIN < DEFAULT_POLICY.minHistoryMs || a.anomaly !== null;
      if (inside && distrusted) expect(p.desired).toBeGreaterThanOrEqual(i.current);
    }), { numRuns: 2000 });
  });

  it("moves at most one step per run, unless the bounds demand more", () => {
    fc.assert(fc.property(arbInput, (a) => {
      const i = build(a);
      const p = plan(i);
      const up = i.current + Math.max(4, i.current);
      const down = i.current - Math.max(1, Math.floor(i.current / 2));
      if (p.desired > i.current) expect(p.desired <= up || p.desired === i.min).toBe(true);
      if (p.desired < i.current) expect(p.desired >= down || p.desired === i.max).toBe(true);
    }), { numRuns: 2000 });
  });

  it("never scales in below a recommendation of the stabilization window", () => {
    fc.assert(fc.property(arbInput, (a) => {
      const i = build(a);
      const p = plan(i);
      if (p.desired >= i.current || i.current > i.max) return;
      for (const r of i.recent) if (r.at > NOW - DEFAULT_POLICY.stabilizationMs) expect(p.desired).toBeGreaterThanOrEqual(Math.min(r.recommendation, i.current, i.max));
    }), { numRuns: 2000 });
  });

  it("is monotone in the forecast: more load never asks for less capacity", () => {
    fc.assert(fc.property(arbInput, fc.double({ min: 0, max: 5000, noNaN: true }), (a, extra) => {
      const lo = plan(build({ ...a, hi: null, hasForecast: true }));
      const hi = plan(build({ ...a, hi: null, hasForecast: true, rps: a.rps + extra }));
      expect(hi.desired).toBeGreaterThanOrEqual(lo.desired);
    }), { numRuns: 1000 });
  });

  it("every plan names its rule", () => {
    fc.assert(fc.property(arbInput, (a) => {
      const p = plan(build(a));
      expect(p.reason.length).toBeGreaterThan(0);
      if (p.desired === p.current) expect(["scale_out", "scale_in", "step_limit"]).not.toContain(p.reason);
    }), { numRuns: 1000 });
  });
});
