import { polyFit } from "../ml.js";
import type { Fitted, ForecastModel, Prepared } from "../types.js";

/**
 * Short-horizon polynomial trend: a quadratic through the last `window` steps, extrapolated.
 * Useful on a steady ramp with no history yet; dangerous further out, so the forecast is
 * damped toward the window's mean with distance and held within [0, 2 × window max].
 */
export function polyTrend(window = 12, degree = 2, damping = 0.85): ForecastModel {
  return {
    name: "poly_trend",
    minHistory: () => window,
    fit: (): Fitted => ({
      predict(p: Prepared, origin: number, h: number): Float64Array {
        const n = Math.min(window, origin);
        const out = new Float64Array(h);
        if (n < degree + 2) return out.fill(Math.max(0, p.y[origin - 1] ?? 0));
        const xs: number[] = [];
        const ys: number[] = [];
        let max = 0;
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const v = p.y[origin - n + i] ?? 0;
          xs.push(i - n + 1);
          ys.push(v);
          max = Math.max(max, v);
          sum += v;
        }
        const f = polyFit(xs, ys, degree);
        const anchor = f(0);
        const mean = sum / n;
        let w = 1;
        for (let k = 0; k < h; k++) {
          w *= damping;
          // Damped extrapolation: the step from the fitted end point fades, and the level
          // drifts back to the window mean, so a noisy curvature cannot run away.
          const v = w * f(k + 1) + (1 - w) * (0.5 * anchor + 0.5 * mean);
          out[k] = Math.min(2 * max, Math.max(0, v));
        }
        return out;
      },
    }),
  };
}
