import { describe, expect, it } from "vitest";
import { backtest } from "../../../src/scheduler/forecast/backtest.js";
import { assessData, baselineModels, candidateModels } from "../../../src/scheduler/forecast/choose.js";
import { linearLags } from "../../../src/scheduler/forecast/models/linear-lags.js";
import { forecastPool } from "../../../src/scheduler/forecast/pool.js";
import { prepare } from "../../../src/scheduler/forecast/prepare.js";
import { resample } from "../../../src/scheduler/forecast/resample.js";
import { DAY, MIN, T0, dailySine, gauss, rng, series } from "./synthetic.js";

describe("forecastPool on synthetic series with known answers", () => {
  it("forecasts a pure daily sine almost exactly, with a narrow interval", () => {
    const pts = series(10, MIN, dailySine);
    const now = T0 + 10 * DAY - MIN;
    const f = forecastPool(pts, { now, stepMs: 5 * MIN, horizonMs: 60 * MIN });
    if (!f.ok) throw new Error(f.reason);
    expect(f.points).toHaveLength(12);
    for (const p of f.points) {
      // The step's true value is the mean of its five minutes; a sine is near-linear there.
      const truth = dailySine(p.t + 2 * MIN);
      expect(Math.abs(p.mean - truth) / truth).toBeLessThan(0.01);
      expect(p.lo90).toBeLessThanOrEqual(p.mean);
      expect(p.hi90 - p.lo90).toBeLessThan(0.05 * truth);
    }
    expect(f.backtestWape).toBeLessThan(0.01);
    expect(f.anomaly).toBeNull();
  });

  it("does not predict zeros the day after an outage of zeros", () => {
    // Nine days of sine; on day 9, 06:00–18:00 reports zeros (an outage, not demand).
    const pts = series(10, MIN, (t) => {
      const inDay = (t - T0) % DAY;
      return t >= T0 + 9 * DAY && inDay >= 6 * 3_600_000 && inDay < 18 * 3_600_000 ? 0 : dailySine(t);
    });
    const now = T0 + 10 * DAY - MIN;
    const f = forecastPool(pts, { now, stepMs: 5 * MIN, horizonMs: DAY });
    if (!f.ok) throw new Error(f.reason);
    const during = f.points.filter((p) => {
      const inDay = (p.t - T0) % DAY;
      return inDay >= 6 * 3_600_000 && inDay < 18 * 3_600_000;
    });
    expect(during.length).toBeGreaterThan(100);
    for (const p of during) expect(p.mean).toBeGreaterThan(0.8 * dailySine(p.t));
  });

  it("falls back to a baseline on short, constant or mostly-zero data, saying why", () => {
    const short = forecastPool(series(0.25, MIN, dailySine), { now: T0 + DAY / 4 });
    expect(short.ok && short.model).toBe("last_value");
    expect(short.ok && short.reason).toMatch(/^short/);
    const flat = forecastPool(series(3, MIN, () => 7), { now: T0 + 3 * DAY });
    expect(flat.ok && flat.model).toBe("last_value");
    expect(flat.ok && flat.reason).toMatch(/^constant/);
    expect(flat.ok && flat.points.every((p) => p.mean === 7)).toBe(true);
    const sparse = forecastPool(series(3, MIN, (_t, i) => (i % 60 === 0 ? 3 : 0)), { now: T0 + 3 * DAY });
    expect(sparse.ok && sparse.reason).toMatch(/^mostly zeros/);
  });

  it("reads the zeros before a pool's first request as no history, not idle demand", () => {
    // The D1 series is dense: a pool that started two days ago arrives with 12 days of zeros.
    const dense = series(14, MIN, (t) => (t >= T0 + 12 * DAY ? dailySine(t) : 0));
    const f = forecastPool(dense, { now: T0 + 14 * DAY - MIN });
    expect(f.ok && f.reason).toBe("best backtest WAPE");
    expect(f.ok && f.model).not.toBe("last_value");
    // A cold start: two weeks of zeros, then ten minutes of rising traffic: short, no anomaly.
    const cold = series(14, MIN, (t) => (t >= T0 + 14 * DAY - 10 * MIN ? 50 + (t - (T0 + 14 * DAY - 10 * MIN)) / MIN * 20 : 0));
    const c = forecastPool(cold, { now: T0 + 14 * DAY - MIN });
    expect(c.ok && c.reason).toMatch(/^short/);
    expect(c.ok && c.anomaly).toBeNull();
    expect(c.ok && c.flags).toEqual([]);
  });

  it("answers typed errors for no data", () => {
    expect(forecastPool([], { now: T0 })).toEqual({ ok: false, reason: "no_data" });
    expect(forecastPool([{ t: T0, v: 3 }], { now: T0 })).toEqual({ ok: false, reason: "single_point" });
  });

  it("follows a level shift rather than the old level", () => {
    const pts = series(10, MIN, (t) => dailySine(t) * (t >= T0 + 9.5 * DAY ? 2 : 1));
    const f = forecastPool(pts, { now: T0 + 10 * DAY - MIN, horizonMs: 30 * MIN });
    if (!f.ok) throw new Error(f.reason);
    const first = f.points[0];
    expect(first && first.mean / (2 * dailySine(first.t))).toBeGreaterThan(0.85);
  });
});

describe("backtest", () => {
  it("calibrates 90% intervals on noisy seasonal data to about 90% coverage", () => {
    const r = rng(7);
    const pts = series(21, 5 * MIN, (t) => Math.max(0, dailySine(t) + 12 * gauss(r)));
    const p = prepare(resample(pts, 5 * MIN));
    const bt = backtest(p, [...candidateModels(), ...baselineModels()], { horizon: 12, evalFrom: Math.floor(p.y.length * 0.7) });
    for (const [name, res] of bt.results) {
      expect(res.scores.coverage90, name).toBeGreaterThan(0.85);
      expect(res.scores.coverage90, name).toBeLessThan(0.95);
    }
    const lin = bt.results.get("linear_lags")?.scores.wape ?? 1;
    const last = bt.results.get("last_value")?.scores.wape ?? 0;
    expect(lin).toBeLessThan(0.75 * last);
    expect(bt.evalPoints).toBeGreaterThan(12 * 1800);
  });

  it("scores every model on the same pairs and never with future data", () => {
    // A series that is pure noise after the eval start cannot be forecast: if a model saw
    // the future its error would be near zero.
    const r = rng(3);
    const pts = series(6, 5 * MIN, (t) => (t < T0 + 4 * DAY ? dailySine(t) : 50 + 100 * r()));
    const p = prepare(resample(pts, 5 * MIN));
    const bt = backtest(p, [...candidateModels(), ...baselineModels()], { horizon: 3, evalFrom: Math.floor(p.y.length * 0.7) });
    for (const res of bt.results.values()) expect(res.scores.wape).toBeGreaterThan(0.1);
  });
});

describe("linear_lags", () => {
  it("gives the same forecast when a fit reuses an earlier fit's rows as when fitted afresh", () => {
    const r = rng(2);
    const p = prepare(resample(series(12, 5 * MIN, (t) => dailySine(t) + 5 * gauss(r)), 5 * MIN));
    const n = p.y.length;
    const reused = linearLags();
    reused.fit(p, n - p.day);
    const a = reused.fit(p, n).predict(p, n, 12);
    const b = linearLags().fit(p, n).predict(p, n, 12);
    for (let k = 0; k < 12; k++) expect(a[k]).toBeCloseTo(b[k] ?? Number.NaN, 6);
  });
});

describe("data preparation", () => {
  it("resamples irregular, duplicated and gappy points onto the grid", () => {
    const s = resample(
      [
        { t: T0 + 10 * MIN, v: 5 },
        { t: T0 + 0, v: 1 },
        { t: T0 + 0, v: 3 }, // duplicate timestamp: last one wins
        { t: T0 + 2.5 * MIN, v: 9 }, // irregular: shares the first 5-minute step
      ],
      5 * MIN,
    );
    expect(s.t0).toBe(T0);
    expect(Array.from(s.y.slice(0, 1))).toEqual([6]);
    expect(Number.isNaN(s.y[1] ?? 0)).toBe(true);
    expect(s.y[2]).toBe(5);
  });

  it("blanks a long zero run as an outage and fills it from the day before", () => {
    const pts = series(3, 5 * MIN, (t) => (t >= T0 + 2 * DAY && t < T0 + 2 * DAY + 3_600_000 ? 0 : dailySine(t)));
    const p = prepare(resample(pts, 5 * MIN));
    const i = 2 * p.day + 3;
    expect(p.observed[i]).toBe(0);
    expect(p.y[i]).toBeCloseTo(p.y[i - p.day] ?? -1, 9);
    expect(assessData(p).usable).toBe(true);
  });

  it("keeps isolated zeros as data", () => {
    const pts = series(3, 5 * MIN, (_t, i) => (i % 10 === 0 ? 0 : 20));
    const p = prepare(resample(pts, 5 * MIN));
    expect(p.observed[10]).toBe(1);
  });
});
