import { DAY_MS } from "./types.js";

/**
 * Calendar regressors for time t (epoch ms, read as UTC — the data's own clock; the NASA
 * log is local time and is treated as given). Daily shape as K Fourier pairs
 * (sin/cos of 2πk·timeOfDay), the usual way to put a smooth season into a linear model
 * (Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed., §7.4),
 * plus a weekend flag and its interaction with the first pair, since weekend days
 * are both lower and shaped differently.
 */
// 6 pairs: 4 → 6 gained ~1 point of WAPE gain on the NASA log, 8 or 12 nothing more.
export const DAILY_HARMONICS = 6;
export const WEEKEND_HARMONICS = 1;
export const CALENDAR_FEATURES = 2 * DAILY_HARMONICS + 1 + 2 * WEEKEND_HARMONICS;

export function writeCalendar(t: number, out: Float64Array, offset: number): void {
  const tod = (((t % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
  // 1970-01-01 was a Thursday: (days + 4) mod 7 gives 0 = Sunday.
  const dow = (((Math.floor(t / DAY_MS) + 4) % 7) + 7) % 7;
  const weekend = dow === 0 || dow === 6 ? 1 : 0;
  let o = offset;
  for (let k = 1; k <= DAILY_HARMONICS; k++) {
    const a = 2 * Math.PI * k * tod;
    out[o++] = Math.sin(a);
    out[o++] = Math.cos(a);
  }
  out[o++] = weekend;
  for (let k = 1; k <= WEEKEND_HARMONICS; k++) {
    out[o++] = weekend * Math.sin(2 * Math.PI * k * tod);
    out[o++] = weekend * Math.cos(2 * Math.PI * k * tod);
  }
}

/** Slot of the day (0 .. stepsPerDay-1) for index i of a grid starting at t0. */
export function slotOfDay(t0: number, stepMs: number, i: number, day: number): number {
  const t = t0 + i * stepMs;
  return Math.floor((((t % DAY_MS) + DAY_MS) % DAY_MS) / stepMs) % day;
}
