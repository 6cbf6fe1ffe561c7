import { activeAnomaly } from "../anomaly/active.js";
import { detectAnomalies } from "../anomaly/detector.js";
import type { ActiveAnomaly, AnomalyFlag } from "../anomaly/types.js";
import { backtest } from "./backtest.js";
import { assessData, baselineModels, candidateModels, pickBest } from "./choose.js";
import { prepare } from "./prepare.js";
import { resample } from "./resample.js";
import { DAY_MS, MINUTE_MS, type ForecastPoint, type RawPoint } from "./types.js";

export interface ForecastPoolOptions {
  /** Epoch ms of the run; points after it are ignored. */
  readonly now: number;
  /** Grid step (default 5 min) and how far ahead (default 60 min, at most a day). */
  readonly stepMs?: number;
  readonly horizonMs?: number;
  /** History used (default 14 days) and the trailing window models are scored on (default 1 day). */
  readonly historyMs?: number;
  readonly selectionMs?: number;
}

export type PoolForecast =
  | {
      readonly ok: true;
      readonly model: string;
      /** Why this model: "best backtest WAPE" or the degenerate-data reason. */
      readonly reason: string;
      readonly backtestWape: number;
      readonly baselineWape: { readonly last_value: number; readonly seasonal_naive_day: number };
      readonly stepMs: number;
      readonly points: ForecastPoint[];
      readonly anomaly: ActiveAnomaly | null;
      /** Every flag over the scored window (about a day), oldest first, for storing in D1. */
      readonly flags: AnomalyFlag[];
    }
  | { readonly ok: false; readonly reason: "no_data" | "single_point" };

/**
 * The scheduler's entry point, one pool per call; pure and synchronous (no I/O, no clock).
 * 1. Drop the zeros before the first request; resample the pool's per-minute points to the
 *    step; fill gaps, blank outages.
 * 2. Backtest every candidate and both baselines over the last `selectionMs` (one fit each,
 *    every second origin scored) — the cheap form of the CLI's rolling origin, so the
 *    choice is per pool and current. Degenerate data skips the candidates for a baseline.
 * 3. Refit the winner on all history, forecast, wrap in its conformal 90% interval
 *    (hi90 is Infinity while there are no residuals to calibrate on, i.e. "unknown").
 * Forecast points start at the step after the newest data, which may lag `now`.
 * 4. Run the anomaly detector over the selection window with the winner's one-step
 *    forecasts; report the anomaly in force at the newest step, if any.
 */
export function forecastPool(history: readonly RawPoint[], opts: ForecastPoolOptions): PoolForecast {
  const stepMs = opts.stepMs ?? 5 * MINUTE_MS;
  const horizonMs = Math.min(opts.horizonMs ?? 60 * MINUTE_MS, DAY_MS);
  const since = opts.now - (opts.historyMs ?? 14 * DAY_MS);
  const inWindow = history.filter((pt) => pt.t >= since && pt.t <= opts.now);
  if (inWindow.length === 0) return { ok: false, reason: "no_data" };
  // The store's series is dense (no row reads as 0), so a pool that began taking traffic two
  // days ago arrives with twelve days of zeros in front: that is no history, not idle
  // demand. Its history starts at its first recorded request; an all-zero series stays.
  const first = inWindow.findIndex((pt) => pt.v > 0);
  const recent = first > 0 ? inWindow.slice(first) : inWindow;
  const series = resample(recent, stepMs, opts.now);
  if (series.y.length < 2) return { ok: false, reason: "single_point" };
  const p = prepare(series);
  const n = p.y.length;
  const h = Math.max(1, Math.round(horizonMs / stepMs));

  const verdict = assessData(p);
  const baselines = baselineModels();
  const models = verdict.usable ? [...candidateModels(), ...baselines] : baselines;
  const selection = Math.max(1, Math.round((opts.selectionMs ?? DAY_MS) / stepMs));
  const evalFrom = Math.max(1, n - Math.min(selection, Math.floor(n / 2)));
  const names = models.map((m) => m.name);
  // Every second origin: half the CPU, still ~144 residuals per step for choice and intervals.
  const bt = backtest(p, models, { horizon: h, evalFrom, refitEvery: n, warmup: 0, originStride: 2, keepOneStep: names });

  const chosen = verdict.usable ? pickBest(bt, names) : { name: verdict.fallback, wape: bt.results.get(verdict.fallback)?.scores.wape ?? Number.NaN };
  const model = models.find((m) => m.name === chosen.name) ?? baselines[0];
  const result = bt.results.get(chosen.name);
  if (!model || !result) return { ok: false, reason: "no_data" };
  const mean = model.fit(p, n).predict(p, n, h);
  const points: ForecastPoint[] = Array.from(mean, (m, k) => {
    const iv = result.calibrator.interval(k, m);
    return { t: p.t0 + (n + k) * stepMs, mean: m, lo90: iv.lo, hi90: iv.hi };
  });

  const flags = detectAnomalies({
    t0: p.t0, stepMs, raw: p.raw, filled: p.y, level: p.level, day: p.day, week: p.week,
    expected: bt.oneStep.get(chosen.name) ?? new Float64Array(n).fill(Number.NaN),
  }, { from: evalFrom });
  return {
    ok: true,
    model: chosen.name,
    reason: verdict.usable ? "best backtest WAPE" : verdict.reason,
    backtestWape: chosen.wape,
    baselineWape: {
      last_value: bt.results.get("last_value")?.scores.wape ?? Number.NaN,
      seasonal_naive_day: bt.results.get("seasonal_naive_day")?.scores.wape ?? Number.NaN,
    },
    stepMs,
    points,
    anomaly: activeAnomaly(flags, n - 1, stepMs),
    flags,
  };
}
