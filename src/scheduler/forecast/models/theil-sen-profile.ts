import { slotOfDay } from "../calendar.js";
import { median, theilSen } from "../ml.js";
import type { Fitted, ForecastModel, Prepared } from "../types.js";

/**
 * Robust seasonal profile plus Theil–Sen trend (Sen 1968, "Estimates of the regression
 * coefficient based on Kendall's tau"). The profile is the per-slot median over the last
 * `days` days (medians shrug off spikes and the odd outage); the trend is a Theil–Sen line
 * through hourly means of what the profile leaves over, so a growing pool is followed;
 * the last half hour's leftover is carried into the forecast with an AR(1) decay.
 */
export function theilSenProfile(days = 7): ForecastModel {
  return {
    name: "theil_sen_profile",
    minHistory: (p) => 2 * p.day,
    fit(p: Prepared, end: number): Fitted {
      const d = Math.max(1, Math.min(days, Math.floor(end / p.day)));
      const start = Math.max(0, end - d * p.day);
      const buckets: number[][] = Array.from({ length: p.day }, () => []);
      for (let i = start; i < end; i++) {
        if (p.observed[i]) buckets[slotOfDay(p.t0, p.stepMs, i, p.day)]?.push(p.y[i] ?? 0);
      }
      const profile = buckets.map((b) => (b.length ? median(b) : Number.NaN));
      // A slot never observed in the window (short or gappy history) takes the last value.
      const fallback = p.y[end - 1] ?? 0;
      const prof = (i: number): number => {
        const v = profile[slotOfDay(p.t0, p.stepMs, i, p.day)] ?? Number.NaN;
        return Number.isFinite(v) ? v : fallback;
      };
      const hour = Math.max(1, Math.round(3_600_000 / p.stepMs));
      const xs: number[] = [];
      const ys: number[] = [];
      for (let b = start; b + hour <= end; b += hour) {
        let s = 0;
        let c = 0;
        for (let i = b; i < b + hour; i++) if (p.observed[i]) ((s += (p.y[i] ?? 0) - prof(i)), c++);
        if (c > hour / 2) (xs.push(b + hour / 2), ys.push(s / c));
      }
      const line = theilSen(xs, ys);
      const trend = (i: number): number => line.slope * i + line.intercept;
      // AR(1) coefficient of the leftover, from the lag-1 autocorrelation over the window.
      let num = 0;
      let den = 0;
      let prev = Number.NaN;
      for (let i = start; i < end; i++) {
        const r = (p.y[i] ?? 0) - prof(i) - trend(i);
        if (Number.isFinite(prev)) ((num += r * prev), (den += prev * prev));
        prev = r;
      }
      const phi = den > 0 ? Math.min(0.99, Math.max(0, num / den)) : 0;
      return {
        predict(q: Prepared, origin: number, h: number): Float64Array {
          const m = Math.min(6, origin);
          let e = 0;
          for (let i = origin - m; i < origin; i++) e += (q.y[i] ?? 0) - prof(i) - trend(i);
          e = m > 0 ? e / m : 0;
          const out = new Float64Array(h);
          let w = 1;
          for (let k = 0; k < h; k++) {
            w *= phi;
            const v = prof(origin + k) + trend(origin + k) + w * e;
            out[k] = v > 0 ? v : 0;
          }
          return out;
        },
      };
    },
  };
}
