import { median } from "../forecast/ml.js";
import type { AnomalyDirection, AnomalyFlag, DetectorInput } from "./types.js";

export interface DetectorOptions {
  /** Robust z above which a one-step residual is a spike (default 5). */
  readonly spikeZ?: number;
  /** Robust z the window median must reach against last week's/day's value (default 2). */
  readonly shiftZ?: number;
  /** Window over which a level shift must hold (default 30 min). */
  readonly shiftWindowMs?: number;
  /** Identical values for at least this long make a flat-line (default 30 min). */
  readonly flatMinMs?: number;
  /** Judge only steps from this index on (after a one-day warm-up before it); default 0. */
  readonly from?: number;
}

const MAD_TO_SIGMA = 1.4826; // consistency constant of the MAD under normal noise

/**
 * Streaming anomaly detector over a series, in time order, looking only backwards:
 * - spike: the residual against the one-step forecast, scaled by sqrt(forecast + level)
 *   and divided by the MAD of the previous day's scaled residuals (Hampel's robust z;
 *   Leys et al. 2013, "Detecting outliers: do not use standard deviation around the mean"),
 *   is at least spikeZ;
 * - level_shift: for a whole window, the values sit on one side of the same time last week
 *   (last day while there is no week yet) by shiftZ robust units — the one-step forecast
 *   is no reference here, as its lags catch up with a shift within minutes;
 * - flat_line: the same value repeated for flatMinMs on a series that normally moves
 *   (a stuck exporter, or an outage reporting zeros).
 * One flag per step, the strongest kind; score = z / (z + threshold).
 */
export function detectAnomalies(inp: DetectorInput, opts: DetectorOptions = {}): AnomalyFlag[] {
  const n = inp.raw.length;
  const spikeZ = opts.spikeZ ?? 5;
  const shiftZ = opts.shiftZ ?? 2;
  const win = Math.max(3, Math.round((opts.shiftWindowMs ?? 1_800_000) / inp.stepMs));
  const flatMin = Math.max(3, Math.round((opts.flatMinMs ?? 1_800_000) / inp.stepMs));
  const refresh = Math.max(1, Math.round(3_600_000 / inp.stepMs));
  const lvl = Math.max(inp.level, 1e-9);
  const norm = (a: number, e: number): number => (a - e) / Math.sqrt(Math.max(0, e) + lvl);

  const spikeRes = new Float64Array(n).fill(Number.NaN);
  const shiftRes = new Float64Array(n).fill(Number.NaN);
  let spikeScale = Number.NaN;
  let shiftScale = Number.NaN;
  let moves = false;
  let flatRun = 0;
  const flags: AnomalyFlag[] = [];
  const from = Math.max(0, opts.from ?? 0);
  for (let i = Math.max(0, from - inp.day - win); i < n; i++) {
    if (i % refresh === 0) {
      spikeScale = robustScale(spikeRes, i - inp.day, i);
      shiftScale = robustScale(shiftRes, i - inp.day, i);
      moves = variesRecently(inp.raw, i - inp.day, i);
    }
    const a = inp.raw[i] ?? Number.NaN;
    if (!Number.isFinite(a)) continue;
    const ref = i >= inp.week ? (inp.filled[i - inp.week] ?? 0) : i >= inp.day ? (inp.filled[i - inp.day] ?? 0) : Number.NaN;
    const prev = inp.raw[i - 1] ?? Number.NaN;
    flatRun = Number.isFinite(prev) && prev === a ? flatRun + 1 : 1;
    const e = inp.expected[i] ?? Number.NaN;
    if (Number.isFinite(e)) spikeRes[i] = norm(a, e);
    if (Number.isFinite(ref)) shiftRes[i] = norm(a, ref);

    const candidates: AnomalyFlag[] = [];
    const t = inp.t0 + i * inp.stepMs;
    const z = Math.abs(spikeRes[i] ?? Number.NaN) / spikeScale;
    if (z >= spikeZ) {
      const dir: AnomalyDirection = a > e ? "up" : "down";
      const reason = `spike: ${fmt(a)} vs forecast ${fmt(e)} (robust z ${z.toFixed(1)})`;
      candidates.push({ index: i, t, kind: "spike", direction: dir, score: z / (z + spikeZ), reason });
    }
    const shift = windowShift(shiftRes, i, win);
    const zs = Math.abs(shift) / shiftScale;
    if (zs >= shiftZ) {
      const dir: AnomalyDirection = shift > 0 ? "up" : "down";
      const reason = `level_shift ${dir}: last ${win} steps ${dir === "up" ? "above" : "below"} the same time ${i >= inp.week ? "last week" : "yesterday"} (robust z ${zs.toFixed(1)})`;
      candidates.push({ index: i, t, kind: "level_shift", direction: dir, score: zs / (zs + shiftZ), reason });
    }
    if (flatRun >= flatMin && moves) {
      const dir: AnomalyDirection = Number.isFinite(ref) && a > ref ? "up" : "down";
      const reason = `flat_line: ${fmt(a)} repeated for ${flatRun} steps`;
      candidates.push({ index: i, t, kind: "flat_line", direction: dir, score: flatRun / (flatRun + flatMin), reason });
    }
    let best: AnomalyFlag | undefined;
    for (const c of candidates) if (!best || c.score > best.score) best = c;
    if (best && i >= from) flags.push(best);
  }
  return flags;
}

/** MAD·1.4826 of the finite values in v[from..to), floored so a perfect fit is not "infinitely" sure. */
function robustScale(v: Float64Array, from: number, to: number): number {
  const xs: number[] = [];
  for (let i = Math.max(0, from); i < to; i++) {
    const x = v[i] ?? Number.NaN;
    if (Number.isFinite(x)) xs.push(x);
  }
  if (xs.length < 12) return Number.NaN;
  const m = median(xs);
  for (let i = 0; i < xs.length; i++) xs[i] = Math.abs((xs[i] ?? 0) - m);
  const mad = median(xs);
  return Math.max(MAD_TO_SIGMA * mad, 0.05);
}

/** Median of the window ending at i if at least 80% of it lies on one side of zero, else 0. */
function windowShift(v: Float64Array, i: number, win: number): number {
  if (i + 1 < win) return 0;
  const xs: number[] = [];
  let pos = 0;
  for (let j = i - win + 1; j <= i; j++) {
    const x = v[j] ?? Number.NaN;
    if (!Number.isFinite(x)) continue;
    xs.push(x);
    if (x > 0) pos++;
  }
  if (xs.length < Math.ceil(win * 0.8)) return 0;
  const share = pos / xs.length;
  return share >= 0.8 || share <= 0.2 ? median(xs) : 0;
}

function variesRecently(raw: Float64Array, from: number, to: number): boolean {
  let first = Number.NaN;
  for (let i = Math.max(0, from); i < to; i++) {
    const x = raw[i] ?? Number.NaN;
    if (!Number.isFinite(x)) continue;
    if (Number.isNaN(first)) first = x;
    else if (x !== first) return true;
  }
  return false;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? (Math.round(v * 100) / 100).toString() : "n/a";
}
