import { detectAnomalies } from "../anomaly/detector.js";
import { backtest } from "./backtest.js";
import { assessData, baselineModels, candidateModels, pickBest } from "./choose.js";
import { prepare } from "./prepare.js";
import { resample } from "./resample.js";
import { DAY_MS, type RawPoint, type Scores } from "./types.js";

export interface BacktestReportOptions {
  readonly stepMs: number;
  readonly horizonMs: number;
  readonly anomalies?: boolean;
  /** Share of the series, at its end, whose origins are scored (contract: 0.3). */
  readonly evalShare?: number;
}

/** The JSON object of `npm run backtest` (see CONTRACT.md); extra fields are additions. */
export interface BacktestReport {
  step_s: number;
  horizon_s: number;
  eval_points: number;
  chosen: string;
  chosen_reason: string;
  models: Record<string, Scores>;
  baselines: Record<string, Scores>;
  anomalies?: { timestamp: string; score: number; reason: string; kind: string; direction: string }[];
}

/**
 * Pure core of the backtest command: resample, prepare, rolling-origin backtest of every
 * candidate and both baselines over the last 30%, and the model the scheduler would pick.
 * With `anomalies`, a second pass replays the chosen model one step ahead over the whole
 * series (refit daily, never seeing the step it judges) and runs the detector over it.
 */
export function backtestReport(points: readonly RawPoint[], opts: BacktestReportOptions): BacktestReport {
  const series = resample(points, opts.stepMs);
  const p = prepare(series);
  const n = p.y.length;
  const h = Math.max(1, Math.min(Math.round(opts.horizonMs / opts.stepMs), Math.round(DAY_MS / opts.stepMs)));
  const evalFrom = Math.max(1, Math.min(n - 1, Math.floor(n * (1 - (opts.evalShare ?? 0.3)))));
  const candidates = candidateModels();
  const baselines = baselineModels();
  const all = [...candidates, ...baselines];
  const bt = backtest(p, all, { horizon: h, evalFrom });

  const verdict = assessData(p);
  const chosen = verdict.usable ? pickBest(bt, all.map((m) => m.name)).name : verdict.fallback;
  const scoresOf = (names: readonly string[]): Record<string, Scores> => {
    const out: Record<string, Scores> = {};
    for (const name of names) {
      const r = bt.results.get(name);
      if (r) out[name] = r.scores;
    }
    return out;
  };
  const report: BacktestReport = {
    step_s: opts.stepMs / 1000,
    horizon_s: (h * opts.stepMs) / 1000,
    eval_points: bt.evalPoints,
    chosen,
    chosen_reason: verdict.usable ? "lowest backtest WAPE" : verdict.reason,
    models: scoresOf(candidates.map((m) => m.name)),
    baselines: scoresOf(baselines.map((m) => m.name)),
  };
  if (opts.anomalies) {
    const model = all.find((m) => m.name === chosen);
    const replay = model ? backtest(p, [model], { horizon: 1, evalFrom: 1, warmup: 0, keepOneStep: [chosen] }) : null;
    const flags = detectAnomalies({
      t0: p.t0, stepMs: p.stepMs, raw: p.raw, filled: p.y, level: p.level, day: p.day, week: p.week,
      expected: replay?.oneStep.get(chosen) ?? new Float64Array(n).fill(Number.NaN),
    });
    report.anomalies = flags.map((f) => ({
      timestamp: new Date(f.t).toISOString(),
      score: Math.round(f.score * 1000) / 1000,
      reason: f.reason,
      kind: f.kind,
      direction: f.direction,
    }));
  }
  return report;
}
