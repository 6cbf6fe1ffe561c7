import { describe, expect, it } from "vitest";
import { scalingPermission } from "../../../src/scheduler/anomaly/active.js";
import { detectAnomalies, scoreRows } from "../../../src/scheduler/anomaly/detector.js";
import type { AnomalyFlag } from "../../../src/scheduler/anomaly/types.js";
import { forecastPool } from "../../../src/scheduler/forecast/pool.js";
import { prepare } from "../../../src/scheduler/forecast/prepare.js";
import { resample } from "../../../src/scheduler/forecast/resample.js";
import type { RawPoint } from "../../../src/scheduler/forecast/types.js";
import { DAY, MIN, T0, dailySine, gauss, rng, series } from "../forecast/synthetic.js";

const STEP = 5 * MIN;

/** The scheduler's path: resample to the step, prepare, detect over the raw rows in order. */
function detect(pts: RawPoint[], season?: number): { flags: AnomalyFlag[]; at: (t: number) => number } {
  const p = prepare(resample(pts, STEP));
  const flags = detectAnomalies({
    t0: p.t0, stepMs: STEP, raw: p.raw, filled: p.y, level: p.level, day: p.day, week: p.week,
    expected: new Float64Array(p.y.length).fill(Number.NaN),
  }, season === undefined ? {} : { season });
  return { flags, at: (t) => Math.floor((t - p.t0) / STEP) };
}

const noisy = (seed: number) => {
  const r = rng(seed);
  return (t: number) => Math.max(0, dailySine(t) + 4 * gauss(r));
};

describe("streaming anomaly detector", () => {
  it("flags an upward level shift within a few steps, once, with a score over 0.5 and operator words", () => {
    const base = noisy(11);
    const shiftAt = T0 + 9 * DAY + 10 * 3_600_000;
    const { flags, at } = detect(series(10, STEP, (t) => base(t) + (t >= shiftAt ? 120 : 0)));
    const before = flags.filter((f) => f.index < at(shiftAt));
    expect(before.length).toBeLessThanOrEqual(1);
    const after = flags.filter((f) => f.index >= at(shiftAt) && f.index < at(shiftAt) + 12);
    expect(after).toHaveLength(1);
    const f = after[0];
    expect(f?.direction).toBe("up");
    expect((f?.index ?? Infinity) - at(shiftAt)).toBeLessThanOrEqual(3);
    expect(f?.score).toBeGreaterThanOrEqual(0.5);
    expect(f?.score).toBeLessThanOrEqual(1);
    expect(f?.reason).toMatch(/^(level_shift up|spike): /);
  });

  it("flags an outage of zeros once as a downward event, and a lone spike as a spike", () => {
    const base = noisy(5);
    const outFrom = T0 + 8 * DAY + 12 * 3_600_000;
    const spikeAt = T0 + 7 * DAY + 15 * 3_600_000;
    const { flags, at } = detect(series(9, STEP, (t) => (t >= outFrom && t < outFrom + 3 * 3_600_000 ? 0 : t === spikeAt ? 600 : base(t))));
    const spike = flags.find((f) => f.index === at(spikeAt));
    expect(spike?.kind).toBe("spike");
    expect(spike?.direction).toBe("up");
    expect(spike?.reason).toMatch(/^spike: 600 above/);
    const inOutage = flags.filter((f) => f.index >= at(outFrom) && f.index < at(outFrom + 3 * 3_600_000));
    expect(inOutage).toHaveLength(1);
    expect(inOutage[0]?.direction).toBe("down");
    // The event covers the outage: it is still open on its later rows.
    expect(inOutage[0]?.lastIndex ?? 0).toBeGreaterThan(at(outFrom) + 30);
  });

  it("flags a night that jumps to four times its level, inside the day's range, within an hour", () => {
    const r = rng(5);
    // 50 at night (18:00 UTC) to 450 at the peak. On the sixth evening, from 16:00 to 18:00,
    // traffic is 4× its usual 77..50: 308..200, well inside the day's range.
    const cycle = (t: number) => 250 + 200 * Math.sin((2 * Math.PI * (t % DAY)) / DAY);
    const shiftAt = T0 + 5 * DAY + 16 * 3_600_000;
    const pts = series(5.75, STEP, (t) => Math.max(0, cycle(t) * (t >= shiftAt ? 4 : 1) + 4 * gauss(r)));
    // A few missing rows before it: the same time on past days is found by row, not by count.
    const holed = pts.filter((_, i) => i % 97 !== 3);
    const { flags, at } = detect(holed);
    const hit = flags.filter((f) => f.index >= at(shiftAt) && f.index <= at(shiftAt) + 12);
    expect(hit).toHaveLength(1);
    expect(hit[0]).toMatchObject({ kind: "level_shift", direction: "up" });
    expect(hit[0]?.reason).toMatch(/at this time on the past \d days/);
    // The week's range holds the new level: without the seasonal rule that hour raises nothing.
    const blind = detect(holed, 0);
    expect(blind.flags.filter((f) => f.index >= at(shiftAt) && f.index <= at(shiftAt) + 12)).toEqual([]);
  });

  it("says flat_line for a stuck exporter repeating one value on a moving series", () => {
    const base = noisy(3);
    const stuckFrom = T0 + 8 * DAY;
    const { flags, at } = detect(series(9, STEP, (t) => (t >= stuckFrom ? 123.45 : base(t))));
    const f = flags.find((x) => x.index >= at(stuckFrom) && x.kind === "flat_line");
    expect(f?.reason).toMatch(/^flat_line: 123.45 repeated for 12 steps/);
    expect(f?.lastIndex).toBe(at(T0 + 9 * DAY) - 1);
  });

  it("flags a clean noisy seasonal series rarely", () => {
    const { flags, at } = detect(series(10, STEP, noisy(21)));
    expect(flags.length / at(T0 + 10 * DAY)).toBeLessThan(0.002);
  });

  it("raises nothing during the warm-up, whatever the data", () => {
    const r = rng(2);
    const wild = Array.from({ length: 96 }, (_, i) => (i % 7 === 0 ? 1e6 * r() : r()));
    const rows = scoreRows(wild);
    expect(rows.every((v) => v.score === 0 && v.event === null)).toBe(true);
    const after = scoreRows([...wild, 1e9]);
    expect(after[96]?.event).toBe("start");
  });

  it("is causal: every row's verdict on a prefix equals the full run's", () => {
    const base = noisy(8);
    const full = series(6, STEP, (t, i) => base(t) + (i > 1000 ? 80 : 0) + (i % 333 === 0 ? 300 : 0)).map((p) => p.v);
    // With the seasonal rule on (a day of 5-minute rows) and missing rows, as the scheduler runs it.
    const holed = full.map((v, i) => (i % 101 === 7 ? Number.NaN : v));
    for (const season of [0, 288]) {
      const whole = scoreRows(holed, { season });
      for (const cut of [150, 1001, 1400]) expect(scoreRows(holed.slice(0, cut), { season })).toEqual(whole.slice(0, cut));
    }
  });
});

describe("cold start and the scheduler's anomaly", () => {
  it("a pool with minutes of history and then rising traffic raises no anomaly", () => {
    const r = rng(4);
    const start = T0;
    const pts: RawPoint[] = [];
    for (let m = 0; m < 90; m++) pts.push({ t: start + m * MIN, v: m < 5 ? 0 : Math.max(0, 5 * (m - 5) + 10 * gauss(r)) });
    for (const minutes of [6, 20, 45, 90]) {
      const now = start + minutes * MIN;
      const f = forecastPool(pts.filter((p) => p.t < now), { now });
      if (!f.ok) continue;
      expect(f.flags).toEqual([]);
      expect(f.anomaly).toBeNull();
      expect(scalingPermission(f.anomaly)).toMatchObject({ scaleIn: true, scaleOut: true });
    }
  });

  it("reports an outage of zeros reaching now as a downward anomaly that holds capacity", () => {
    const base = noisy(9);
    const outFrom = T0 + 9 * DAY + 12 * 3_600_000;
    const now = outFrom + 2 * 3_600_000;
    const pts = series(10, MIN, (t) => (t >= outFrom ? 0 : base(t))).filter((p) => p.t < now);
    const f = forecastPool(pts, { now });
    if (!f.ok) throw new Error(f.reason);
    expect(f.anomaly?.direction).toBe("down");
    expect(f.anomaly?.since).toBeLessThanOrEqual(outFrom + 30 * MIN);
    expect(f.anomaly?.sustainedMs).toBeGreaterThan(60 * MIN);
    expect(scalingPermission(f.anomaly)).toMatchObject({ scaleIn: false, scaleOut: false });
    expect(f.points[0]?.mean).toBeGreaterThan(0.5 * dailySine(now));
  });
});
