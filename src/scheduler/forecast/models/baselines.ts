import type { Fitted, ForecastModel, Prepared } from "../types.js";

/**
 * The two naive baselines every candidate must beat (Hyndman & Athanasopoulos, FPP3 §5.2):
 * the last value, and the value at the same time one day earlier ("seasonal naive").
 * They are also the fallbacks when data is too short or degenerate for anything else.
 * They read the prepared series, so an outage or gap is seen as its filled value; that
 * makes them stronger, never weaker, than on raw data.
 */
export const LAST_VALUE = "last_value";
export const SEASONAL_NAIVE_DAY = "seasonal_naive_day";

export function lastValue(): ForecastModel {
  return {
    name: LAST_VALUE,
    minHistory: () => 1,
    fit: (): Fitted => ({
      predict(p: Prepared, origin: number, h: number): Float64Array {
        return new Float64Array(h).fill(Math.max(0, p.y[origin - 1] ?? 0));
      },
    }),
  };
}

export function seasonalNaiveDay(): ForecastModel {
  return {
    name: SEASONAL_NAIVE_DAY,
    minHistory: (p) => p.day,
    fit: (): Fitted => ({
      predict(p: Prepared, origin: number, h: number): Float64Array {
        const out = new Float64Array(h);
        for (let k = 0; k < h; k++) {
          const j = origin + k - p.day;
          // Less than a day of history: degrade to the last value rather than invent one.
          out[k] = Math.max(0, j >= 0 ? (p.y[j] ?? 0) : (p.y[origin - 1] ?? 0));
        }
        return out;
      },
    }),
  };
}
