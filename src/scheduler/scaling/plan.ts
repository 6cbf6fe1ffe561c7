import { scalingPermission } from "../anomaly/active.js";
import type { ActiveAnomaly } from "../anomaly/types.js";
import { forecastPeak, instancesFor, type Peak, type PlanForecast } from "./peak.js";
import type { ScalingPolicy } from "./policy.js";

/**
 * The capacity planner: pure, synchronous, clock passed in (`now`). One call per pool per
 * run. It sizes for the forecast peak of the planning window (peak.ts) and damps the
 * answer as the Kubernetes HPA and AWS predictive scaling do (policy.ts for the knobs):
 * dead-band, scale-out at once with a step limit, scale-in only to the highest
 * recommendation of the stabilization window, after the cooldown, by at most a step, and
 * never on missing, stale or too-short data or during an anomaly. `[min, max]` is hard:
 * whatever rule binds, `desired` ends inside it (mode `off` aside, which touches nothing).
 */

export type ScalingMode = "off" | "forecast_only" | "forecast_and_scale";

export type PlanReason =
  | "mode_off"
  | "scale_out"
  | "scale_in"
  | "within_tolerance"
  | "stabilization"
  | "cooldown"
  | "step_limit"
  | "clamped_max"
  | "clamped_min"
  | "missing_data"
  | "stale_data"
  | "short_data"
  | "anomaly_blocks_scale_in"
  | "anomaly_holds";

export interface PlanInput {
  readonly now: number;
  readonly mode: ScalingMode;
  readonly min: number;
  readonly max: number;
  readonly rpsPerInstance: number;
  readonly headroom: number;
  /** Capacity as the provider read it this run. */
  readonly current: number;
  /** The cloud's own bounds (AWS MinSize/MaxSize): they narrow [min, max] when consistent with it. */
  readonly cloud?: { readonly min?: number; readonly max?: number };
  readonly forecast: PlanForecast | null;
  /** Oldest and newest observed rollup minute behind the forecast (null: none). */
  readonly data: { readonly from: number | null; readonly to: number | null };
  readonly anomaly: ActiveAnomaly | null;
  /** Recommendations of earlier runs for this pool (D1), any order; older ones are ignored. */
  readonly recent: readonly { readonly at: number; readonly recommendation: number }[];
  /** When capacity last changed through this planner (a confirmed write), or null. */
  readonly lastChangeAt: number | null;
  readonly policy: ScalingPolicy;
}

export interface Plan {
  readonly current: number;
  readonly desired: number;
  /** The undamped recommendation (clamped, after the dead-band), or null without a forecast. */
  readonly recommendation: number | null;
  readonly reason: PlanReason;
  readonly detail: string;
  readonly peak: Peak | null;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

function bounds(i: PlanInput): { lo: number; hi: number } {
  const lo = Math.max(i.min, i.cloud?.min ?? i.min);
  const hi = Math.min(i.max, i.cloud?.max ?? i.max);
  // A cloud whose bounds do not meet ours: ours rule (the write then fails visibly).
  return lo <= hi ? { lo, hi } : { lo: i.min, hi: i.max };
}

/** Why data may not shrink capacity, or null when it may. */
function distrust(i: PlanInput, f: PlanForecast): { reason: PlanReason; detail: string } | null {
  const p = i.policy;
  if (i.now - f.at > p.maxForecastAgeMs) return { reason: "stale_data", detail: `forecast is ${Math.round((i.now - f.at) / 1000)} s old (limit ${p.maxForecastAgeMs / 1000} s)` };
  if (i.data.to === null || i.data.from === null) return { reason: "missing_data", detail: "no rollups behind the forecast" };
  if (i.now - i.data.to > p.maxDataAgeMs) return { reason: "stale_data", detail: `newest rollup is ${Math.round((i.now - i.data.to) / 1000)} s old (limit ${p.maxDataAgeMs / 1000} s)` };
  if (i.data.to - i.data.from < p.minHistoryMs) return { reason: "short_data", detail: `${Math.round((i.data.to - i.data.from) / 60_000)} min of history (need ${p.minHistoryMs / 60_000})` };
  return null;
}

export function plan(i: PlanInput): Plan {
  const current = i.current;
  if (i.mode === "off") return { current, desired: current, recommendation: null, reason: "mode_off", detail: "scaling is off for this pool", peak: null };
  const { lo, hi } = bounds(i);
  const p = i.policy;
  let recommendation: number | null = null;
  let peak: Peak | null = null;
  /** Keep capacity, except that a current value outside the bounds is brought inside them. */
  const hold = (reason: PlanReason, detail: string): Plan => {
    const desired = clamp(current, lo, hi);
    if (desired > current) return { current, desired, recommendation, reason: "clamped_min", detail: `below min ${lo}; ${detail}`, peak };
    if (desired < current) return { current, desired, recommendation, reason: "clamped_max", detail: `above max ${hi}; ${detail}`, peak };
    return { current, desired, recommendation, reason, detail, peak };
  };

  const f = i.forecast;
  if (!f) return hold("missing_data", "no forecast for this pool");
  peak = forecastPeak(f, i.now, p.leadMs);
  if (!peak) return hold("missing_data", "the forecast has no point in the planning window");
  const raw = instancesFor(peak.rps, i.headroom, i.rpsPerInstance);
  const sized = clamp(raw, lo, hi);
  const within = current > 0 && Math.abs(sized / current - 1) <= p.tolerance + 1e-9;
  recommendation = within ? clamp(current, lo, hi) : sized;
  const clampNote = raw > hi ? `forecast needs ${raw}, max is ${hi}` : raw < lo ? `forecast needs ${raw}, min is ${lo}` : `forecast needs ${raw}`;
  const load = `peak ${peak.rps.toFixed(1)} rps (${peak.bound}) × ${(1 + i.headroom).toFixed(2)} / ${i.rpsPerInstance}`;

  if (recommendation === current) {
    if (raw > hi && sized === current) return hold("clamped_max", clampNote);
    if (raw < lo && sized === current) return hold("clamped_min", clampNote);
    if (within) return hold("within_tolerance", `${load}: ${sized} is within ${p.tolerance * 100}% of ${current}`);
    return hold("within_tolerance", `${load}: no change`);
  }

  const perm = scalingPermission(i.anomaly, p.anomalyMinSustainMs);
  if (recommendation > current) {
    if (!perm.scaleOut) return hold("anomaly_holds", perm.reason);
    const limit = current + Math.max(p.upPods, Math.ceil((current * p.upPercent) / 100));
    if (recommendation > limit) {
      const desired = clamp(limit, lo, hi);
      return { current, desired, recommendation, reason: desired > limit ? "clamped_min" : "step_limit", detail: `${load} → ${recommendation}; at most ${limit} this run`, peak };
    }
    const reason: PlanReason = raw > hi && recommendation === hi ? "clamped_max" : raw < lo && recommendation === lo ? "clamped_min" : "scale_out";
    return { current, desired: recommendation, recommendation, reason, detail: `${load} → ${recommendation} (${clampNote})`, peak };
  }

  // Scale-in: every guard must pass.
  const doubt = distrust(i, f);
  if (doubt) return hold(doubt.reason, `${doubt.detail}; no scale-in`);
  if (!perm.scaleIn) return hold("anomaly_blocks_scale_in", perm.reason);
  if (i.lastChangeAt !== null && i.now - i.lastChangeAt < p.cooldownMs)
    return hold("cooldown", `last change ${Math.round((i.now - i.lastChangeAt) / 1000)} s ago (cooldown ${p.cooldownMs / 1000} s)`);
  let stabilized = recommendation;
  for (const r of i.recent) if (r.at > i.now - p.stabilizationMs && r.at <= i.now && r.recommendation > stabilized) stabilized = r.recommendation;
  stabilized = clamp(stabilized, lo, hi);
  if (stabilized >= current) return hold("stabilization", `${load} → ${recommendation}, but the last ${p.stabilizationMs / 1000} s recommended up to ${stabilized}`);
  const floor = current - Math.max(p.downPods, Math.floor((current * p.downPercent) / 100));
  if (stabilized < floor) {
    const desired = clamp(floor, lo, hi);
    return { current, desired, recommendation, reason: "step_limit", detail: `${load} → ${stabilized}; at most down to ${floor} this run`, peak };
  }
  const reason: PlanReason = stabilized !== recommendation ? "stabilization" : raw < lo && stabilized === lo ? "clamped_min" : raw > hi && stabilized === hi ? "clamped_max" : "scale_in";
  return { current, desired: stabilized, recommendation, reason, detail: `${load} → ${recommendation}${stabilized !== recommendation ? `, stabilized at ${stabilized}` : ""}`, peak };
}
