import type { ScalingConfig } from "../../config/schema.js";

/**
 * The planner's damping knobs and their defaults, with where each comes from
 * (REFERENCE.md "Scaling policy anchors"; docs/readme/scaling.md). All times in ms.
 */
export interface ScalingPolicy {
  /** Provisioning lead: capacity asked for now must carry the load this far ahead (AWS SchedulingBufferTime, 300 s). */
  readonly leadMs: number;
  /** Dead-band: no change while |desired/current − 1| ≤ tolerance (HPA --horizontal-pod-autoscaler-tolerance, 0.1). */
  readonly tolerance: number;
  /** Scale in only to the highest recommendation of this window (HPA scale-down stabilization, 300 s). */
  readonly stabilizationMs: number;
  /** After a change, no scale-in for this long (AWS simple scaling cooldown, 300 s). Scale-out is never delayed. */
  readonly cooldownMs: number;
  /** Scale-out per run: at most max(upPods, current × upPercent/100) more (HPA default policy: 4 pods or 100%). */
  readonly upPods: number;
  readonly upPercent: number;
  /** Scale-in per run: at most max(downPods, current × downPercent/100) fewer; halving per run keeps one bad forecast from emptying a pool. */
  readonly downPods: number;
  readonly downPercent: number;
  /** A forecast older than this is stale: twice the cron interval (one missed run is tolerated). */
  readonly maxForecastAgeMs: number;
  /** Rollups whose newest minute is older than this are stale: two 5-minute forecast steps. */
  readonly maxDataAgeMs: number;
  /** Less observed history than this is too short to trust a forecast of less load. */
  readonly minHistoryMs: number;
  /** An upward anomaly must have lasted this long before it may scale out (anomaly/active.ts default). */
  readonly anomalyMinSustainMs: number;
}

export const MINUTE_MS = 60_000;
/** The cron trigger's period (wrangler.toml `* * * * *`). */
export const CRON_INTERVAL_MS = MINUTE_MS;

export const DEFAULT_POLICY: ScalingPolicy = {
  leadMs: 300_000,
  tolerance: 0.1,
  stabilizationMs: 300_000,
  cooldownMs: 300_000,
  upPods: 4,
  upPercent: 100,
  downPods: 1,
  downPercent: 50,
  maxForecastAgeMs: 2 * CRON_INTERVAL_MS,
  maxDataAgeMs: 10 * MINUTE_MS,
  minHistoryMs: 60 * MINUTE_MS,
  anomalyMinSustainMs: 15 * MINUTE_MS,
};

/** The policy for one pool: the defaults, with the pool's optional `lead_s`, `stabilization_s`, `cooldown_s`. */
export function policyFor(s: Pick<ScalingConfig, "lead_s" | "stabilization_s" | "cooldown_s">, base: ScalingPolicy = DEFAULT_POLICY): ScalingPolicy {
  return {
    ...base,
    ...(s.lead_s !== undefined ? { leadMs: s.lead_s * 1000 } : {}),
    ...(s.stabilization_s !== undefined ? { stabilizationMs: s.stabilization_s * 1000 } : {}),
    ...(s.cooldown_s !== undefined ? { cooldownMs: s.cooldown_s * 1000 } : {}),
  };
}
