import type { ActiveAnomaly, AnomalyFlag } from "./types.js";

/**
 * The anomaly in force at step `last`: the newest flag's event must still cover `last`
 * (`lastIndex`, set by the once-per-event detector); it has lasted since the flag. A flag
 * without `lastIndex` is one step, and a run is the unbroken chain of such flags.
 */
export function activeAnomaly(flags: readonly AnomalyFlag[], last: number, stepMs: number): ActiveAnomaly | null {
  const newest = flags[flags.length - 1];
  if (newest?.lastIndex !== undefined) {
    if (newest.lastIndex !== last) return null;
    const { kind, direction, score, reason, t } = newest;
    return { kind, direction, score, reason, since: t, sustainedMs: (last - newest.index + 1) * stepMs };
  }
  if (!newest || newest.index !== last) return null;
  let first = newest;
  for (let k = flags.length - 2; k >= 0; k--) {
    const f = flags[k];
    if (!f || f.index !== first.index - 1 || f.direction !== newest.direction) break;
    first = f;
  }
  return {
    kind: newest.kind,
    direction: newest.direction,
    score: newest.score,
    reason: newest.reason,
    since: first.t,
    sustainedMs: (newest.index - first.index + 1) * stepMs,
  };
}

/**
 * What the planner may do while an anomaly lasts (issue 5): never scale in on a flagged
 * pool; scale out only on an upward anomaly that has held for `minSustainMs` (a lone
 * spike is noise, a sustained surge is demand). Downward anomalies (outage, stuck
 * exporter) freeze capacity: the data is garbage, so neither direction is trusted.
 */
export function scalingPermission(
  a: ActiveAnomaly | null,
  minSustainMs = 15 * 60_000,
): { scaleIn: boolean; scaleOut: boolean; reason: string } {
  if (!a) return { scaleIn: true, scaleOut: true, reason: "no anomaly" };
  if (a.direction === "up" && a.sustainedMs >= minSustainMs) {
    return { scaleIn: false, scaleOut: true, reason: `sustained upward ${a.kind} since ${new Date(a.since).toISOString()}` };
  }
  return { scaleIn: false, scaleOut: false, reason: `${a.direction}ward ${a.kind}: holding capacity` };
}
