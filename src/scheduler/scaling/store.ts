import { and, desc, eq, gt, isNotNull, lt, max, min } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { forecasts, rollupHour, rollupMinute, scalingCalls, scalingDecisions, scalingRuns } from "../../db/schema";
import type { ActiveAnomaly } from "../anomaly/types";
import type { CallRecord } from "../providers/types";
import type { PlanForecast } from "./peak";

/**
 * D1 side of the scaling run (schema in src/db/schema.ts, migration 0004). Every record is
 * keyed so that writing it twice inserts nothing twice: a decision by (run_id, pool), a
 * call by (run_id, pool, seq). Rows hold no secret, token or signature: CallRecord has none.
 */

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Decisions, calls and runs are kept this long, like forecasts (src/scheduler/forecast-run.ts). */
export const SCALING_KEEP_MS = 30 * DAY_MS;
/** D1 binds at most 100 parameters per statement; a call row binds 13. */
const CALL_ROWS_PER_STATEMENT = 7;

const storedPoint = z.object({ t: z.number(), mean: z.number().nullable(), hi90: z.number().nullable() });
const storedAnomaly = z.object({
  kind: z.enum(["spike", "level_shift", "flat_line"]),
  direction: z.enum(["up", "down"]),
  score: z.number(),
  reason: z.string(),
  since: z.number(),
  sustainedMs: z.number(),
});

export interface PoolState {
  readonly forecast: PlanForecast | null;
  readonly anomaly: ActiveAnomaly | null;
  readonly data: { readonly from: number | null; readonly to: number | null };
  readonly recent: { at: number; recommendation: number }[];
  readonly lastChangeAt: number | null;
}

/** What the planner needs to know about a pool besides its capacity: five small indexed reads in one batch. */
export async function loadPoolState(db: D1Database, pool: string, now: number, stabilizationMs: number): Promise<PoolState> {
  const d = drizzle(db);
  const since = now - 14 * DAY_MS;
  const [latest, minutes, hours, recent, changed] = await d.batch([
    d.select().from(forecasts).where(eq(forecasts.pool, pool)).orderBy(desc(forecasts.at), desc(forecasts.id)).limit(1),
    d.select({ lo: min(rollupMinute.minute), hi: max(rollupMinute.minute) }).from(rollupMinute).where(and(eq(rollupMinute.pool, pool), gt(rollupMinute.minute, since), gt(rollupMinute.requests, 0))),
    d.select({ lo: min(rollupHour.hour) }).from(rollupHour).where(and(eq(rollupHour.pool, pool), gt(rollupHour.hour, since), gt(rollupHour.requests, 0))),
    d
      .select({ at: scalingDecisions.at, recommendation: scalingDecisions.recommendation })
      .from(scalingDecisions)
      .where(and(eq(scalingDecisions.pool, pool), gt(scalingDecisions.at, now - stabilizationMs), isNotNull(scalingDecisions.recommendation))),
    d.select({ at: max(scalingDecisions.at) }).from(scalingDecisions).where(and(eq(scalingDecisions.pool, pool), eq(scalingDecisions.applied, true))),
  ]);
  const f = latest[0];
  let forecast: PlanForecast | null = null;
  let anomaly: ActiveAnomaly | null = null;
  if (f) {
    const pts = z.array(storedPoint).safeParse(JSON.parse(f.points));
    forecast = pts.success ? { at: f.at, stepMs: f.stepMs, model: f.model, points: pts.data } : null;
    const a = f.anomaly === null ? null : storedAnomaly.safeParse(JSON.parse(f.anomaly));
    anomaly = a?.success ? a.data : null;
  }
  const hi = minutes[0]?.hi ?? null;
  const loCandidates = [minutes[0]?.lo, hours[0]?.lo].filter((x): x is number => typeof x === "number");
  return {
    forecast,
    anomaly,
    data: { from: loCandidates.length > 0 ? Math.min(...loCandidates) : null, to: hi === null ? null : hi + MINUTE_MS },
    recent: recent.flatMap((r) => (r.recommendation === null ? [] : [{ at: r.at, recommendation: r.recommendation }])),
    lastChangeAt: changed[0]?.at ?? null,
  };
}

export interface DecisionRow {
  readonly runId: string;
  readonly pool: string;
  readonly at: number;
  readonly provider: string;
  readonly mode: string;
  readonly inputsFrom: number | null;
  readonly inputsTo: number | null;
  readonly forecastAt: number | null;
  readonly forecastModel: string | null;
  readonly forecastPeakRps: number | null;
  readonly current: number | null;
  readonly recommendation: number | null;
  readonly desired: number | null;
  readonly reason: string;
  readonly detail: string;
  readonly applied: boolean;
}

/** One pool's decision and calls, in one transaction; a second write of the same run and pool adds nothing. */
export async function recordPool(db: D1Database, row: DecisionRow, calls: readonly CallRecord[]): Promise<void> {
  const d = drizzle(db);
  const callRows = calls.map((c, seq) => ({
    runId: row.runId,
    pool: row.pool,
    seq,
    provider: c.provider,
    action: c.action,
    at: c.at,
    status: c.status,
    outcome: c.outcome,
    errorCode: c.errorCode,
    attempt: c.attempt,
    latencyMs: c.latencyMs,
    message: c.message?.slice(0, 500) ?? null,
  }));
  const rest = [];
  for (let i = 0; i < callRows.length; i += CALL_ROWS_PER_STATEMENT)
    rest.push(d.insert(scalingCalls).values(callRows.slice(i, i + CALL_ROWS_PER_STATEMENT)).onConflictDoNothing());
  await d.batch([d.insert(scalingDecisions).values(row).onConflictDoNothing(), ...rest]);
}

export async function startRun(db: D1Database, runId: string, at: number, trigger: "cron" | "api"): Promise<void> {
  await drizzle(db).insert(scalingRuns).values({ runId, startedAt: at, trigger }).onConflictDoNothing();
}

export async function endRun(db: D1Database, runId: string, at: number): Promise<void> {
  await drizzle(db).update(scalingRuns).set({ endedAt: at }).where(eq(scalingRuns.runId, runId));
}

/** Retention, run by each scaling run (like expireForecasts). */
export async function expireScaling(db: D1Database, now: number, keepMs = SCALING_KEEP_MS): Promise<void> {
  const d = drizzle(db);
  const before = now - keepMs;
  await d.batch([
    d.delete(scalingDecisions).where(lt(scalingDecisions.at, before)),
    d.delete(scalingCalls).where(lt(scalingCalls.at, before)),
    d.delete(scalingRuns).where(lt(scalingRuns.startedAt, before)),
  ]);
}

export interface ScalingQuery {
  readonly pool?: string;
  readonly limit: number;
}

/** GET /api/scaling: newest first, in the contract's shape. */
export async function recentScaling(db: D1Database, q: ScalingQuery) {
  const d = drizzle(db);
  const [decisions, calls] = await d.batch([
    d
      .select()
      .from(scalingDecisions)
      .where(q.pool !== undefined ? eq(scalingDecisions.pool, q.pool) : undefined)
      .orderBy(desc(scalingDecisions.at), desc(scalingDecisions.id))
      .limit(q.limit),
    d
      .select()
      .from(scalingCalls)
      .where(q.pool !== undefined ? eq(scalingCalls.pool, q.pool) : undefined)
      .orderBy(desc(scalingCalls.at), desc(scalingCalls.id))
      .limit(q.limit * 4),
  ]);
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    decisions: decisions.map((r) => ({
      run_id: r.runId,
      pool: r.pool,
      at: new Date(r.at).toISOString(),
      current: r.current,
      desired: r.desired,
      reason: r.reason,
      mode: r.mode,
      provider: r.provider,
      recommendation: r.recommendation,
      applied: r.applied,
      detail: r.detail,
      inputs: { from: iso(r.inputsFrom), to: iso(r.inputsTo) },
      forecast: r.forecastAt === null ? null : { at: iso(r.forecastAt), model: r.forecastModel, peak_rps: r.forecastPeakRps },
    })),
    calls: calls.map((r) => ({
      run_id: r.runId,
      pool: r.pool,
      provider: r.provider,
      action: r.action,
      at: new Date(r.at).toISOString(),
      status: r.status,
      outcome: r.outcome,
      error_code: r.errorCode,
      attempt: r.attempt,
      latency_ms: r.latencyMs,
      ...(r.message !== null ? { message: r.message } : {}),
    })),
  };
}

