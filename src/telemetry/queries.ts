import { and, asc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { rollupHour, rollupMinute } from "../db/schema.js";
import { BUCKET_COUNT, HIST_COLUMNS, percentiles } from "./histogram.js";
import { HOUR_MS } from "./retention.js";
import type { MetricsRow } from "./types.js";

/**
 * Reads for the control API (`/metrics`), the dashboard and the scheduler. Percentiles are
 * always read from histograms merged by SUM (never averaged). Ranges are [from, to) in
 * epoch ms. Older than the minute retention the data comes from rollup_hour: the split
 * point is the hour of the oldest minute row, because retention deletes minutes by whole
 * hours and only after compacting them.
 */

type Db = D1Database;
type RollupTable = typeof rollupMinute | typeof rollupHour;
const COUNTERS = ["requests", "errConnect", "errTimeout", "err5xx", "err4xx", "retries", "bytes", "latencySumMs", "dropped"] as const;
type Counter = (typeof COUNTERS)[number];
type Counts = Record<Counter, number> & { hist: number[] };

export interface RollupQuery {
  from: number;
  to: number;
  pool?: string;
  origin?: string;
  /** Row cap for per-key minute rows (default 10,000); the newest rows past it are cut. */
  limit?: number;
}

function filters(t: RollupTable, time: typeof rollupMinute.minute | typeof rollupHour.hour, q: RollupQuery): SQL | undefined {
  const w: SQL[] = [gte(time, q.from), lt(time, q.to)];
  if (q.pool !== undefined) w.push(eq(t.pool, q.pool));
  if (q.origin !== undefined) w.push(eq(t.origin, q.origin));
  return and(...w);
}

// Display rounding only (0.01 ms); the estimate's error is a bucket width, far larger.
function round2(v: number | null): number | null {
  return v === null ? null : Math.round(v * 100) / 100;
}

function toMetrics(at: number, keys: { pool: string; origin: string; country: string; colo: string }, c: Counts): MetricsRow {
  const p = percentiles(c.hist);
  return {
    minute: new Date(at).toISOString(),
    pool: keys.pool,
    origin: keys.origin,
    country: keys.country,
    colo: keys.colo,
    requests: c.requests,
    errors: c.errConnect + c.errTimeout + c.err5xx,
    errors_connect: c.errConnect,
    errors_timeout: c.errTimeout,
    errors_5xx: c.err5xx,
    errors_4xx: c.err4xx,
    retries: c.retries,
    bytes: c.bytes,
    dropped: c.dropped,
    mean_ms: c.requests > 0 ? round2(c.latencySumMs / c.requests) : null,
    p50_ms: round2(p.p50),
    p95_ms: round2(p.p95),
    p99_ms: round2(p.p99),
  };
}

/** Per-minute, per-key rollup rows (minute, pool, origin, country, colo), oldest first. */
export async function queryMinuteRollups(db: Db, q: RollupQuery): Promise<MetricsRow[]> {
  const t = rollupMinute;
  const rows = await drizzle(db)
    .select()
    .from(t)
    .where(filters(t, t.minute, q))
    .orderBy(asc(t.minute), asc(t.pool), asc(t.origin), asc(t.country), asc(t.colo))
    .limit(q.limit ?? 10_000);
  return rows.map((r) => toMetrics(r.minute, r, { ...r, hist: HIST_COLUMNS.map((c) => r[c]) }));
}

/** Epoch ms from which every hour is fully present in rollup_minute (+∞ when it is empty). */
export async function minuteHorizon(db: Db): Promise<number> {
  return (await rollupBounds(db)).minuteHorizon;
}

/**
 * `minuteHorizon` as above; `compactedThrough`: every hour before it that holds minute rows
 * has its rollup_hour rows (MAX(hour) + 1 h, −∞ before the first compaction).
 */
export async function rollupBounds(db: Db): Promise<{ minuteHorizon: number; compactedThrough: number }> {
  const r = await drizzle(db)
    .select({ m: sql<number | null>`min(${rollupMinute.minute})`, h: sql<number | null>`(select max(${rollupHour.hour}) from ${rollupHour})` })
    .from(rollupMinute);
  const m = r[0]?.m ?? null;
  const h = r[0]?.h ?? null;
  return {
    minuteHorizon: m === null ? Number.POSITIVE_INFINITY : m - (m % HOUR_MS),
    compactedThrough: h === null ? Number.NEGATIVE_INFINITY : h + HOUR_MS,
  };
}

export interface SummaryQuery extends RollupQuery {
  /** Bucket width (ms, a multiple of 60,000); below an hour, hour-sourced data sits in its hour's first bucket. */
  stepMs: number;
  /** Group by pool (origin reported as "*"), by pool and origin, or all together (both "*"). */
  by: "pool" | "origin" | "all";
}

async function summaryPart(db: Db, t: RollupTable, time: typeof rollupMinute.minute | typeof rollupHour.hour, q: SummaryQuery) {
  const bucket = sql<number>`(${time} - (${time} % ${q.stepMs}))`;
  const origin = q.by === "origin" ? sql<string>`${t.origin}` : sql<string>`'*'`;
  const sums = Object.fromEntries(
    [...COUNTERS.map((c) => [c, t[c]] as const), ...HIST_COLUMNS.map((c) => [c, t[c]] as const)].map(([k, col]) => [
      k,
      sql<number>`sum(${col})`,
    ]),
  );
  const pool = q.by === "all" ? sql<string>`'*'` : sql<string>`${t.pool}`;
  const groups = q.by === "origin" ? [sql`1`, t.pool, t.origin] : q.by === "pool" ? [sql`1`, t.pool] : [sql`1`];
  return drizzle(db)
    .select({ t: bucket, pool, origin, ...sums })
    .from(t)
    .where(filters(t, time, q))
    .groupBy(...groups);
}

/**
 * Totals per step and per pool (or pool and origin) with p50/p95/p99 from the merged
 * histograms: the dashboard's series and the scheduler's latency/error inputs.
 */
export async function queryRollupSummary(db: Db, q: SummaryQuery): Promise<(MetricsRow & { t: number })[]> {
  const horizon = await minuteHorizon(db);
  const parts = [];
  if (q.to > Math.max(q.from, horizon)) parts.push(summaryPart(db, rollupMinute, rollupMinute.minute, { ...q, from: Math.max(q.from, horizon) }));
  if (q.from < Math.min(q.to, horizon)) parts.push(summaryPart(db, rollupHour, rollupHour.hour, { ...q, from: q.from - (q.from % HOUR_MS), to: Math.min(q.to, horizon) }));
  const merged = new Map<string, { t: number; pool: string; origin: string; c: Counts }>();
  for (const rows of await Promise.all(parts)) {
    for (const r of rows) {
      const v = r as Record<string, number | string>;
      const t = Math.max(Number(v.t), q.from - (q.from % q.stepMs));
      const key = `${t}\u0000${r.pool}\u0000${r.origin}`;
      let m = merged.get(key);
      if (!m) {
        const zero = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
        m = { t, pool: r.pool, origin: r.origin, c: { ...zero, hist: new Array<number>(BUCKET_COUNT).fill(0) } };
        merged.set(key, m);
      }
      for (const c of COUNTERS) m.c[c] += Number(v[c] ?? 0);
      HIST_COLUMNS.forEach((h, k) => (m.c.hist[k] = (m.c.hist[k] ?? 0) + Number(v[h] ?? 0)));
    }
  }
  return [...merged.values()]
    .sort((a, b) => a.t - b.t || a.pool.localeCompare(b.pool) || a.origin.localeCompare(b.origin))
    .map((m) => ({ t: m.t, ...toMetrics(m.t, { pool: m.pool, origin: m.origin, country: "*", colo: "*" }, m.c) }));
}

/** A step wider than any range: every row of the range falls in one bucket (a multiple of a minute). */
const WHOLE_RANGE_MS = 60_000 * 2 ** 30;

/** One total per pool (or pool and origin, or all) over [from, to), percentiles from the merged histograms. */
export async function queryRollupTotals(db: Db, q: RollupQuery & { by: SummaryQuery["by"] }): Promise<MetricsRow[]> {
  const rows = await queryRollupSummary(db, { ...q, stepMs: WHOLE_RANGE_MS });
  return rows.map(({ t: _t, ...row }) => ({ ...row, minute: new Date(q.from).toISOString() }));
}
