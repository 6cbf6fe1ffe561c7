import type { RawPoint, Series } from "./types.js";

/**
 * Put irregular, duplicated or gappy points on a regular grid.
 * - Duplicate timestamps: the last one given wins (a re-sent rollup replaces the first).
 * - Several points in one step: their mean, so a 5-minute value stays "per source sample"
 *   (e.g. requests per minute) and a step with only some minutes present is not biased low.
 * - Steps with no point: NaN; filling is the job of prepare.ts, which knows the season.
 * - Non-finite values and points after `until` are dropped.
 * The grid is aligned to multiples of stepMs since the epoch, so 5-minute steps start at
 * :00, :05, … whatever the first timestamp.
 */
export function resample(points: readonly RawPoint[], stepMs: number, until = Number.POSITIVE_INFINITY): Series {
  if (!(stepMs > 0)) throw new RangeError("stepMs must be positive");
  // Keep the valid points in given order; sort only if needed, stably, so that among equal
  // timestamps the last one given still comes last (D1 rows usually arrive sorted).
  let pts = points.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v) && p.t <= until);
  if (pts.length === 0) return { t0: 0, stepMs, y: new Float64Array(0) };
  let sorted = true;
  for (let i = 1; i < pts.length && sorted; i++) sorted = (pts[i]?.t ?? 0) >= (pts[i - 1]?.t ?? 0);
  if (!sorted) pts = pts.slice().sort((a, b) => a.t - b.t);
  const minT = pts[0]?.t ?? 0;
  const maxT = pts[pts.length - 1]?.t ?? 0;
  const t0 = Math.floor(minT / stepMs) * stepMs;
  const n = Math.floor((maxT - t0) / stepMs) + 1;
  const sum = new Float64Array(n);
  const cnt = new Uint32Array(n);
  for (let k = 0; k < pts.length; k++) {
    const p = pts[k];
    if (!p) continue;
    const next = pts[k + 1];
    if (next && next.t === p.t) continue; // a later duplicate replaces this one
    const i = Math.floor((p.t - t0) / stepMs);
    sum[i] = (sum[i] ?? 0) + p.v;
    cnt[i] = (cnt[i] ?? 0) + 1;
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = (cnt[i] ?? 0) > 0 ? (sum[i] ?? 0) / (cnt[i] ?? 1) : Number.NaN;
  return { t0, stepMs, y };
}

/** Parse "5m", "60m", "1h", "30s", "1d" or plain seconds into milliseconds; NaN if invalid. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)?$/i.exec(text.trim());
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  const unit = (m[2] ?? "s").toLowerCase();
  const mult: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };
  return v * (mult[unit] ?? Number.NaN);
}
