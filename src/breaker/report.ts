import { applyOutcomes, grantLeases, snapshotOf, type BreakerRecord, type MachineCtx, type Transition } from "./state-machine";
import type { ReportReply, ReportRequest } from "./types";

/** Leases outlive one staleness interval so an isolate can use them before its next sync. */
export function leaseTtlMs(stalenessMs: number): number {
  return Math.max(5000, 2 * stalenessMs);
}

/**
 * One isolate's batched report as the object handles it: outcomes first (they may move the
 * state), then half-open leases, then the snapshot the isolate caches. Pure; the object
 * persists `rec` and the transitions. Outcomes carry no timestamps: a time window files
 * them under the object's receive time, at most one staleness interval (plus a round trip)
 * after they happened, which is finer than the window's one-second buckets x size_s.
 */
export function handleReport(rec: BreakerRecord, req: ReportRequest, ctx: MachineCtx): { reply: ReportReply; transitions: Transition[] } {
  const transitions = applyOutcomes(rec, req.outcomes, { colo: req.colo, holder: req.isolate, probes: req.probes }, ctx);
  const ttl = leaseTtlMs(ctx.config.staleness_ms);
  const leases = grantLeases(rec, req.isolate, req.wantLeases, ttl, ctx);
  return { reply: { snapshot: snapshotOf(rec, ctx.now), leases, leaseTtlMs: ttl }, transitions };
}
