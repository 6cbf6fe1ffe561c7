/**
 * Shared shapes of the forecasting modules. Everything here is pure: no I/O, no clock.
 * Times are epoch milliseconds; a series is a regular grid with NaN for "no data".
 */

/** A point as the scheduler reads it from the per-minute rollups. */
export interface RawPoint {
  readonly t: number;
  readonly v: number;
}

/** A regular grid: value i belongs to [t0 + i·stepMs, t0 + (i+1)·stepMs). NaN = missing. */
export interface Series {
  readonly t0: number;
  readonly stepMs: number;
  readonly y: Float64Array;
}

/**
 * A series made ready for models: `y` has no NaN (gaps and outages filled causally),
 * `observed[i]` is 1 where the original value was a real, usable observation (models train
 * only on those targets), and `raw` keeps the original values for scoring.
 */
export interface Prepared {
  readonly t0: number;
  readonly stepMs: number;
  readonly y: Float64Array;
  readonly raw: Float64Array;
  readonly observed: Uint8Array;
  /** Steps per day and per week on this grid. */
  readonly day: number;
  readonly week: number;
  /** Robust typical level (median of observed values), used to scale residuals. */
  readonly level: number;
}

/**
 * One forecasting strategy. `fit` learns from y[0..end) of a prepared series; the result
 * forecasts from any later origin, so a backtest can refit daily yet score every origin.
 */
export interface ForecastModel {
  readonly name: string;
  /** Steps of history the model needs before `end` to fit at all. */
  minHistory(p: Prepared): number;
  fit(p: Prepared, end: number): Fitted;
}

export interface Fitted {
  /**
   * Point forecasts for indices origin .. origin+h-1, knowing p.y[0..origin). Never NaN;
   * clamped at 0 because load is never negative. h must not exceed one day.
   */
  predict(p: Prepared, origin: number, h: number): Float64Array;
}

/** A forecast point with its calibrated 90% prediction interval. */
export interface ForecastPoint {
  readonly t: number;
  readonly mean: number;
  readonly lo90: number;
  readonly hi90: number;
}

/** Error figures as fractions (not percent). */
export interface Scores {
  wape: number;
  smape: number;
  mae: number;
  mase: number;
  coverage90: number;
}

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
