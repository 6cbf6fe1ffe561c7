import { lastValue, LAST_VALUE, SEASONAL_NAIVE_DAY, seasonalNaiveDay } from "./models/baselines.js";
import { linearLags } from "./models/linear-lags.js";
import { polyTrend } from "./models/poly-trend.js";
import { theilSenProfile } from "./models/theil-sen-profile.js";
import { observedShare } from "./prepare.js";
import type { BacktestResult } from "./backtest.js";
import type { ForecastModel, Prepared } from "./types.js";

/** The candidates the scheduler tries, best-first by expectation (ties keep this order). */
export function candidateModels(): ForecastModel[] {
  return [linearLags(), theilSenProfile(), polyTrend()];
}

export function baselineModels(): ForecastModel[] {
  return [lastValue(), seasonalNaiveDay()];
}

export type DataVerdict = { readonly usable: true } | { readonly usable: false; readonly fallback: string; readonly reason: string };

/**
 * Is the series fit for learned models? If not, which baseline is safest. Mirrors the
 * damping rule of STYLE.md §12: degenerate input falls back to something simple.
 * - under a day of observations: no season to learn — last value;
 * - constant: nothing to learn — last value;
 * - mostly zeros (> 50%): sparse traffic, a model would chase noise — last value;
 * - gappy (< 60% of steps observed): seasonal naive over the filled series.
 */
export function assessData(p: Prepared): DataVerdict {
  let count = 0;
  let zeros = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < p.raw.length; i++) {
    const v = p.raw[i] ?? Number.NaN;
    if (!Number.isFinite(v)) continue;
    count++;
    if (v === 0) zeros++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (count < p.day) return { usable: false, fallback: LAST_VALUE, reason: `short: ${count} observed steps, under one day (${p.day})` };
  if (max === min) return { usable: false, fallback: LAST_VALUE, reason: `constant: every value is ${min}` };
  if (zeros / count > 0.5) return { usable: false, fallback: LAST_VALUE, reason: `mostly zeros: ${Math.round((100 * zeros) / count)}% of steps` };
  const share = observedShare(p);
  if (share < 0.6) return { usable: false, fallback: SEASONAL_NAIVE_DAY, reason: `gappy: only ${Math.round(share * 100)}% of steps observed` };
  return { usable: true };
}

/** Lowest backtest WAPE wins; ties go to the earlier (simpler-first is not implied) name. */
export function pickBest(result: BacktestResult, names: readonly string[]): { name: string; wape: number } {
  let best = { name: names[0] ?? LAST_VALUE, wape: Number.POSITIVE_INFINITY };
  for (const name of names) {
    const w = result.results.get(name)?.scores.wape ?? Number.NaN;
    if (Number.isFinite(w) && w < best.wape) best = { name, wape: w };
  }
  return best;
}
