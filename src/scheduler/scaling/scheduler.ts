import type { EdgeRuntime } from "../../edge/runtime";
import { type CronReport, runCron } from "../cron";
import { LEASE_TTL_MS, RUN_BUDGET_MS } from "./lease";
import type { ProviderRegistry } from "./run";
import { endRun, startRun } from "./store";

export type SchedulerResult =
  | { readonly ok: true; readonly report: CronReport; readonly startedAt: number }
  | { readonly ok: false; readonly holder: string; readonly expiresAt: number };

export interface SchedulerOptions {
  readonly trigger: "cron" | "api";
  /** The run's time (the cron's scheduledTime, or the request's clock). */
  readonly now: number;
  readonly runId: string;
  readonly providers: ProviderRegistry;
}

/** The one object that holds the fleet's scheduler lease. */
export const LEASE_NAME = "scheduler";

/**
 * What the cron trigger and POST /api/scheduler/run both run: take the lease, run the cron
 * (telemetry, retention, health, forecasts, then scaling), release. Another holder means a
 * run is in progress: the caller is told who and until when, and nothing runs. A run that
 * crashes never releases; its lease expires after LEASE_TTL_MS (lease.ts). Fail-closed on the
 * lease: if the Durable Object cannot be reached, the run does not happen (the next minute retries).
 */
export async function runScheduler(rt: EdgeRuntime, o: SchedulerOptions): Promise<SchedulerResult> {
  const ns = rt.env.SCHEDULER_LEASE;
  const lease = ns.get(ns.idFromName(LEASE_NAME));
  const startedAt = rt.clock.now();
  const got = await lease.acquire(o.runId, startedAt, LEASE_TTL_MS);
  if (!got.ok) return { ok: false, holder: got.holder, expiresAt: got.expiresAt };
  try {
    await startRun(rt.env.DB, o.runId, startedAt, o.trigger);
    const report = await runCron(rt, o.now, o.runId, { providers: o.providers, deadline: startedAt + RUN_BUDGET_MS });
    await endRun(rt.env.DB, o.runId, rt.clock.now());
    return { ok: true, report, startedAt };
  } finally {
    // A lost release only delays the next run until the lease expires.
    await lease.release(o.runId).catch((err: unknown) => console.error(JSON.stringify({ event: "lease_release_failed", error: String(err) })));
  }
}
