import { ConformalCalibrator } from "./conformal.js";
import { ErrorAccumulator, naiveScale } from "./metrics.js";
import type { Fitted, ForecastModel, Prepared, Scores } from "./types.js";

export interface BacktestOptions {
  /** Steps ahead scored at every origin: 1 .. horizon. */
  readonly horizon: number;
  /** First origin whose forecasts are scored (the contract: start of the last 30%). */
  readonly evalFrom: number;
  /** Refit every this many origins (default one day); every origin is still scored. */
  readonly refitEvery?: number;
  /** Origins before evalFrom run only to warm up the interval calibration (default one day). */
  readonly warmup?: number;
  /** Score every n-th origin (default 1; the CLI keeps 1 — the cron uses 2 to halve CPU). */
  readonly originStride?: number;
  /** Keep each listed model's one-step-ahead forecasts (for the anomaly detector). */
  readonly keepOneStep?: readonly string[];
}

export interface ModelResult {
  readonly scores: Scores;
  /** Calibrated on every residual of the run, ready to put intervals on a live forecast. */
  readonly calibrator: ConformalCalibrator;
}

export interface BacktestResult {
  /** Scored (origin, step) pairs per model; all models are scored on the same pairs. */
  readonly evalPoints: number;
  readonly results: ReadonlyMap<string, ModelResult>;
  readonly oneStep: ReadonlyMap<string, Float64Array>;
}

/**
 * Rolling-origin evaluation (Tashman 2000, "Out-of-sample tests of forecasting accuracy").
 * Every origin o in [evalFrom, n) forecasts o .. o+horizon-1 knowing only y[0..o); each
 * step with an actual is scored. Fitting is the costly part, so models are refitted once
 * per `refitEvery` origins on data before the block and reused inside it — as the cron
 * would, refitting each run but with a model no staler than a day. Interval calibration
 * only uses residuals whose target time has passed at the block start.
 * Actuals are the raw values; residuals of non-observed targets (gaps, outages) are not
 * used for calibration.
 */
export function backtest(p: Prepared, models: readonly ForecastModel[], opts: BacktestOptions): BacktestResult {
  const n = p.y.length;
  const h = Math.max(1, opts.horizon);
  const refit = Math.max(1, opts.refitEvery ?? p.day);
  const stride = Math.max(1, Math.floor(opts.originStride ?? 1));
  const start = Math.max(1, opts.evalFrom - (opts.warmup ?? p.day));
  const accs = models.map(() => new ErrorAccumulator());
  const cals = models.map(() => new ConformalCalibrator(h, p.level));
  const keep = new Set(opts.keepOneStep ?? []);
  const oneStep = new Map<string, Float64Array>();
  for (const m of models) if (keep.has(m.name)) oneStep.set(m.name, new Float64Array(n).fill(Number.NaN));

  let evalPoints = 0;
  for (let b = start; b < n; b += refit) {
    const fitted: Fitted[] = models.map((m) => m.fit(p, b));
    for (const c of cals) c.release(b);
    const blockEnd = Math.min(n, b + refit);
    for (let o = b; o < blockEnd; o++) {
      if ((o - b) % stride !== 0) {
        // Skipped origin: only the one-step forecasts the anomaly detector needs.
        models.forEach((m, mi) => {
          const keepArr = oneStep.get(m.name);
          if (keepArr) keepArr[o] = fitted[mi]?.predict(p, o, 1)[0] ?? Number.NaN;
        });
        continue;
      }
      const steps = Math.min(h, n - o);
      const scored = o >= opts.evalFrom;
      for (let mi = 0; mi < models.length; mi++) {
        const f = fitted[mi]?.predict(p, o, steps) ?? new Float64Array(steps);
        const acc = accs[mi];
        const cal = cals[mi];
        if (!acc || !cal) continue;
        const keepArr = oneStep.get(models[mi]?.name ?? "");
        if (keepArr) keepArr[o] = f[0] ?? Number.NaN;
        for (let k = 0; k < steps; k++) {
          const j = o + k;
          const actual = p.raw[j] ?? Number.NaN;
          if (!Number.isFinite(actual)) continue;
          const mean = f[k] ?? 0;
          if (scored) {
            const iv = cal.interval(k, mean);
            acc.add(actual, mean, iv.lo, iv.hi);
            if (mi === 0) evalPoints++;
          }
          if (p.observed[j]) cal.observe(k, j, mean, actual);
        }
      }
    }
  }
  // MASE scale from the training part; from the whole series if that has no pair.
  const trainScale = naiveScale(p.raw, 0, opts.evalFrom);
  const scale = trainScale > 0 ? trainScale : naiveScale(p.raw, 0, n);
  const results = new Map<string, ModelResult>();
  models.forEach((m, i) => {
    const cal = cals[i];
    const acc = accs[i];
    if (!cal || !acc) return;
    cal.release(Number.POSITIVE_INFINITY);
    results.set(m.name, { scores: acc.scores(scale), calibrator: cal });
  });
  return { evalPoints, results, oneStep };
}
