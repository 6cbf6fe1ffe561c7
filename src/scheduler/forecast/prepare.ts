import { median } from "./ml.js";
import { DAY_MS, MINUTE_MS, WEEK_MS, type Prepared, type Series } from "./types.js";

export interface PrepareOptions {
  /** A run of zeros at least this long is an outage, not load (default 15 minutes). */
  readonly outageMinMs?: number;
  /** Zeros are only treated as outages when they are rarer than this share (default 0.2). */
  readonly maxTypicalZeroShare?: number;
}

/**
 * Make a resampled series usable by models:
 * 1. Outages: a run of zeros of 15 min or more, on a series where zeros are rare, is a
 *    collection or origin failure (the NASA log's Hurricane Erin gap is 37 h of zeros), not
 *    demand. Training on it would teach "zero at this hour" to the seasonal terms and the
 *    day/week lags, so those steps become "not observed".
 * 2. Gaps (missing steps and outages) are filled causally: with the filled value one day
 *    earlier when there is one (keeps the daily shape), else with the last value. Models
 *    use the filled series for lags but train only on observed targets.
 * Both steps only look backwards, except that a zero run is recognised as an outage
 * from its first step once it has reached the minimum length (the backtest states this).
 */
export function prepare(s: Series, opts: PrepareOptions = {}): Prepared {
  const n = s.y.length;
  const day = Math.max(1, Math.round(DAY_MS / s.stepMs));
  const week = Math.max(1, Math.round(WEEK_MS / s.stepMs));
  const observed = new Uint8Array(n);
  let present = 0;
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    const v = s.y[i] ?? Number.NaN;
    if (Number.isFinite(v)) {
      observed[i] = 1;
      present++;
      if (v === 0) zeros++;
    }
  }
  const minRun = Math.max(3, Math.ceil((opts.outageMinMs ?? 15 * MINUTE_MS) / s.stepMs));
  if (present > 0 && zeros / present < (opts.maxTypicalZeroShare ?? 0.2)) markZeroRuns(s.y, observed, minRun);

  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (observed[i]) kept.push(s.y[i] ?? 0);
  let level = median(kept);
  if (!(level > 0)) level = kept.length ? kept.reduce((a, b) => a + b, 0) / kept.length : 0;
  if (!Number.isFinite(level)) level = 0;

  const y = new Float64Array(n);
  const firstObs = observed.indexOf(1);
  const seed = firstObs >= 0 ? (s.y[firstObs] ?? 0) : 0;
  for (let i = 0; i < n; i++) {
    if (observed[i]) y[i] = s.y[i] ?? 0;
    else if (i >= day) y[i] = y[i - day] ?? 0;
    else y[i] = i > 0 ? (y[i - 1] ?? seed) : seed;
  }
  return { t0: s.t0, stepMs: s.stepMs, y, raw: s.y, observed, day, week, level };
}

function markZeroRuns(y: Float64Array, observed: Uint8Array, minRun: number): void {
  let start = -1;
  const n = y.length;
  for (let i = 0; i <= n; i++) {
    const isZero = i < n && observed[i] === 1 && y[i] === 0;
    const isGap = i < n && observed[i] === 0;
    if (isZero) {
      if (start < 0) start = i;
    } else if (!isGap || i === n) {
      // A missing step inside a zero run does not end it; a non-zero value does.
      if (start >= 0) {
        let zerosInRun = 0;
        for (let j = start; j < i; j++) if (observed[j] === 1) zerosInRun++;
        if (zerosInRun >= minRun) for (let j = start; j < i; j++) observed[j] = 0;
      }
      start = -1;
    }
  }
}

/** Share of observed steps, for the degenerate-data checks. */
export function observedShare(p: Prepared): number {
  if (p.y.length === 0) return 0;
  let c = 0;
  for (let i = 0; i < p.y.length; i++) c += p.observed[i] ?? 0;
  return c / p.y.length;
}
