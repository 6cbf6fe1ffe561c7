import { and, desc, eq, gte, lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { anomalyFlags, forecasts } from "../db/schema";
import type { AnomalyFlag } from "./anomaly/types";
import type { PoolForecast } from "./forecast/pool";

type OkForecast = Extract<PoolForecast, { ok: true }>;

/** D1's limit on bound parameters per statement; a flag row binds 7. */
const FLAG_ROWS_PER_STATEMENT = 14;

/** Stores one pool's forecast and its anomaly flags (a flag already stored for that step and kind is kept). */
export async function storeForecast(db: D1Database, runId: string, pool: string, at: number, f: OkForecast): Promise<void> {
  const d = drizzle(db);
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const statements = [
    d.insert(forecasts).values({
      runId,
      pool,
      at,
      model: f.model,
      reason: f.reason,
      backtestWape: finite(f.backtestWape),
      baselineWapeLast: finite(f.baselineWape.last_value),
      baselineWapeSeasonal: finite(f.baselineWape.seasonal_naive_day),
      stepMs: f.stepMs,
      points: JSON.stringify(f.points.map((p) => ({ t: p.t, mean: finite(p.mean), lo90: finite(p.lo90), hi90: finite(p.hi90) }))),
      anomaly: f.anomaly ? JSON.stringify(f.anomaly) : null,
    }),
  ];
  const rows = f.flags.map((fl: AnomalyFlag) => ({ runId, pool, at: fl.t, kind: fl.kind, direction: fl.direction, score: fl.score, reason: fl.reason }));
  const flagStatements = [];
  for (let i = 0; i < rows.length; i += FLAG_ROWS_PER_STATEMENT)
    flagStatements.push(d.insert(anomalyFlags).values(rows.slice(i, i + FLAG_ROWS_PER_STATEMENT)).onConflictDoNothing());
  await d.batch([statements[0]!, ...flagStatements]);
}

export interface StoredForecast {
  run_id: string;
  pool: string;
  at: string;
  model: string;
  reason: string;
  backtest_wape: number | null;
  baseline_wape: { last_value: number | null; seasonal_naive_day: number | null };
  step_ms: number;
  points: { t: string; mean: number | null; lo90: number | null; hi90: number | null }[];
  anomaly: unknown;
}

export async function recentForecasts(db: D1Database, q: { pool?: string; limit: number }): Promise<StoredForecast[]> {
  const rows = await drizzle(db)
    .select()
    .from(forecasts)
    .where(q.pool !== undefined ? eq(forecasts.pool, q.pool) : undefined)
    .orderBy(desc(forecasts.at), desc(forecasts.id))
    .limit(q.limit);
  return rows.map((r) => ({
    run_id: r.runId,
    pool: r.pool,
    at: new Date(r.at).toISOString(),
    model: r.model,
    reason: r.reason,
    backtest_wape: r.backtestWape,
    baseline_wape: { last_value: r.baselineWapeLast, seasonal_naive_day: r.baselineWapeSeasonal },
    step_ms: r.stepMs,
    points: (JSON.parse(r.points) as { t: number; mean: number | null; lo90: number | null; hi90: number | null }[]).map((p) => ({ ...p, t: new Date(p.t).toISOString() })),
    anomaly: r.anomaly === null ? null : (JSON.parse(r.anomaly) as unknown),
  }));
}

export async function recentAnomalies(db: D1Database, q: { pool?: string; since: number; limit: number }) {
  const rows = await drizzle(db)
    .select()
    .from(anomalyFlags)
    .where(and(gte(anomalyFlags.at, q.since), q.pool !== undefined ? eq(anomalyFlags.pool, q.pool) : undefined))
    .orderBy(desc(anomalyFlags.at))
    .limit(q.limit);
  return rows.map((r) => ({ pool: r.pool, timestamp: new Date(r.at).toISOString(), kind: r.kind, direction: r.direction, score: r.score, reason: r.reason, run_id: r.runId }));
}

/** Forecasts and flags older than `keepMs` are deleted by the cron. */
export async function expireForecasts(db: D1Database, now: number, keepMs: number): Promise<void> {
  const d = drizzle(db);
  await d.batch([d.delete(forecasts).where(lt(forecasts.at, now - keepMs)), d.delete(anomalyFlags).where(lt(anomalyFlags.at, now - keepMs))]);
}
