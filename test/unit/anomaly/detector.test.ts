import { describe, expect, it } from "vitest";
import { activeAnomaly, scalingPermission } from "../../../src/scheduler/anomaly/active.js";
import { detectAnomalies } from "../../../src/scheduler/anomaly/detector.js";
import type { AnomalyFlag } from "../../../src/scheduler/anomaly/types.js";
import { backtest } from "../../../src/scheduler/forecast/backtest.js";
import { linearLags } from "../../../src/scheduler/forecast/models/linear-lags.js";
import { prepare } from "../../../src/scheduler/forecast/prepare.js";
import { resample } from "../../../src/scheduler/forecast/resample.js";
import type { RawPoint } from "../../../src/scheduler/forecast/types.js";
import { DAY, MIN, T0, dailySine, gauss, rng, series } from "../forecast/synthetic.js";

const STEP = 5 * MIN;

/** Replays the detector as the scheduler would: one-step forecasts refit daily, in order. */
function detect(pts: RawPoint[]): { flags: AnomalyFlag[]; at: (t: number) => number } {
  const p = prepare(resample(pts, STEP));
  const m = linearLags();
  const bt = backtest(p, [m], { horizon: 1, evalFrom: 1, warmup: 0, keepOneStep: [m.name] });
  const flags = detectAnomalies({
    t0: p.t0, stepMs: STEP, raw: p.raw, filled: p.y, level: p.level, day: p.day, week: p.week,
    expected: bt.oneStep.get(m.name) ?? new Float64Array(p.y.length),
  });
  return { flags, at: (t) => Math.floor((t - p.t0) / STEP) };
}

const noisy = (seed: number) => {
  const r = rng(seed);
  return (t: number) => Math.max(0, dailySine(t) + 4 * gauss(r));
};

describe("anomaly detector", () => {
  it("flags a level shift upward within the shift window, and nothing much before it", () => {
    const base = noisy(11);
    const shiftAt = T0 + 9 * DAY + 10 * 3_600_000;
    const { flags, at } = detect(series(10, STEP, (t) => base(t) + (t >= shiftAt ? 60 : 0)));
    const before = flags.filter((f) => f.index < at(shiftAt) && f.index >= at(T0 + 2 * DAY));
    expect(before.length).toBeLessThan(10);
    const shift = flags.find((f) => f.kind === "level_shift" && f.index >= at(shiftAt));
    expect(shift?.direction).toBe("up");
    expect((shift?.index ?? Infinity) - at(shiftAt)).toBeLessThanOrEqual(8);
    expect(shift?.score).toBeGreaterThanOrEqual(0.5);
    expect(shift?.score).toBeLessThanOrEqual(1);
    expect(shift?.reason).toMatch(/level_shift up/);
  });

  it("flags an outage of zeros as a downward flat-line or shift, and a lone spike as a spike", () => {
    const base = noisy(5);
    const outFrom = T0 + 8 * DAY + 12 * 3_600_000;
    const spikeAt = T0 + 7 * DAY + 15 * 3_600_000;
    const { flags, at } = detect(
      series(9, STEP, (t) => (t >= outFrom && t < outFrom + 3 * 3_600_000 ? 0 : t === spikeAt ? 600 : base(t))),
    );
    const spike = flags.find((f) => f.index === at(spikeAt));
    expect(spike?.kind).toBe("spike");
    expect(spike?.direction).toBe("up");
    const inOutage = flags.filter((f) => f.index >= at(outFrom) && f.index < at(outFrom + 3 * 3_600_000));
    expect(inOutage.length).toBeGreaterThan(30);
    expect(inOutage.every((f) => f.direction === "down")).toBe(true);
    expect(inOutage.some((f) => f.kind === "flat_line")).toBe(true);
  });

  it("does not flag a clean noisy seasonal series more than rarely", () => {
    const { flags, at } = detect(series(10, STEP, noisy(21)));
    const judged = at(T0 + 10 * DAY) - at(T0 + 2 * DAY);
    expect(flags.filter((f) => f.index >= at(T0 + 2 * DAY)).length / judged).toBeLessThan(0.01);
  });
});

describe("active anomaly and scaling permission", () => {
  const flag = (index: number, direction: "up" | "down"): AnomalyFlag => ({
    index, t: T0 + index * STEP, kind: "level_shift", direction, score: 0.7, reason: "r",
  });

  it("reports the run reaching the newest step, and nothing if the newest step is clean", () => {
    const flags = [flag(3, "up"), flag(5, "up"), flag(6, "up"), flag(7, "up")];
    const a = activeAnomaly(flags, 7, STEP);
    expect(a?.since).toBe(T0 + 5 * STEP);
    expect(a?.sustainedMs).toBe(3 * STEP);
    expect(activeAnomaly(flags, 8, STEP)).toBeNull();
  });

  it("never scales in while flagged; scales out only on a sustained upward anomaly", () => {
    expect(scalingPermission(null)).toMatchObject({ scaleIn: true, scaleOut: true });
    const up = activeAnomaly([flag(1, "up"), flag(2, "up"), flag(3, "up")], 3, STEP);
    expect(scalingPermission(up)).toMatchObject({ scaleIn: false, scaleOut: true });
    const brief = activeAnomaly([flag(3, "up")], 3, STEP);
    expect(scalingPermission(brief)).toMatchObject({ scaleIn: false, scaleOut: false });
    const down = activeAnomaly([flag(1, "down"), flag(2, "down"), flag(3, "down")], 3, STEP);
    expect(scalingPermission(down)).toMatchObject({ scaleIn: false, scaleOut: false });
  });
});

describe("forecastPool's anomaly", () => {
  it("reports an outage of zeros reaching now as a downward anomaly that holds capacity", async () => {
    const { forecastPool } = await import("../../../src/scheduler/forecast/pool.js");
    const base = noisy(9);
    const outFrom = T0 + 9 * DAY + 12 * 3_600_000;
    const now = outFrom + 2 * 3_600_000;
    const pts = series(10, MIN, (t) => (t >= outFrom ? 0 : base(t))).filter((p) => p.t < now);
    const f = forecastPool(pts, { now });
    if (!f.ok) throw new Error(f.reason);
    expect(f.anomaly?.direction).toBe("down");
    expect(f.anomaly?.since).toBeLessThanOrEqual(outFrom + 30 * MIN);
    expect(scalingPermission(f.anomaly)).toMatchObject({ scaleIn: false, scaleOut: false });
    expect(f.flags.length).toBeGreaterThan(0);
    // The outage is blanked for the forecaster: it still expects normal load.
    expect(f.points[0]?.mean).toBeGreaterThan(0.5 * dailySine(now));
  });
});
