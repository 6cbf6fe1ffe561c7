/**
 * The load the planner sizes for: the highest forecast over the planning window. Pure.
 *
 * Forecast points are the rollups' unit, requests per minute (a 5-minute step holds the
 * mean of its minutes: src/scheduler/forecast/resample.ts), so rps = value / 60.
 */

export interface ForecastPointIn {
  /** Start of the step, epoch ms. */
  readonly t: number;
  readonly mean: number | null;
  /** Upper 90% bound; null (or non-finite) while the interval is not calibrated yet. */
  readonly hi90: number | null;
}

export interface PlanForecast {
  /** When the forecast was made (epoch ms). */
  readonly at: number;
  readonly stepMs: number;
  readonly model: string;
  readonly points: readonly ForecastPointIn[];
}

export interface Peak {
  readonly rps: number;
  /** Which figure bound it: the interval's upper bound, or the mean where there was none. */
  readonly bound: "hi90" | "mean";
  /** The planning window [from, to) that was looked at. */
  readonly from: number;
  readonly to: number;
}

const PER_MINUTE = 60;

/**
 * Capacity asked for now is ready `leadMs` later (provisioning) and must hold until the
 * next decision is ready one step after that, so the window is [now, now + lead + step).
 * Starting at `now` rather than at `now + lead` means a drop in the forecast never removes
 * capacity before the load it carries has actually gone. Null when no point overlaps.
 */
export function forecastPeak(f: PlanForecast, now: number, leadMs: number): Peak | null {
  const from = now;
  const to = now + leadMs + f.stepMs;
  let best = Number.NEGATIVE_INFINITY;
  let bound: Peak["bound"] = "mean";
  for (const p of f.points) {
    if (p.t + f.stepMs <= from || p.t >= to) continue;
    const hi = p.hi90 !== null && Number.isFinite(p.hi90) ? p.hi90 : null;
    const v = hi ?? (p.mean !== null && Number.isFinite(p.mean) ? p.mean : null);
    if (v === null) continue;
    if (v > best) {
      best = v;
      bound = hi !== null ? "hi90" : "mean";
    }
  }
  if (best === Number.NEGATIVE_INFINITY) return null;
  return { rps: Math.max(0, best) / PER_MINUTE, bound, from, to };
}

/** Instances for a load: ceil(rps × (1 + headroom) / rps_per_instance); a float's 1e-9 noise does not add one. */
export function instancesFor(rps: number, headroom: number, rpsPerInstance: number): number {
  const exact = (rps * (1 + headroom)) / rpsPerInstance;
  return Math.max(0, Math.ceil(exact - 1e-9));
}
