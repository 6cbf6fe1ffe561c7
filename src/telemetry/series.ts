import { and, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { rollupHour, rollupMinute } from "../db/schema.js";
import { rollupBounds } from "./queries.js";
import { HOUR_MS } from "./retention.js";

/** Longest series answered in one call (14 days at one minute is 20,160 points). */
export const MAX_POINTS = 100_000;

export interface SeriesQuery {
  from: number;
  to: number;
  /** A multiple of 60,000 ms. Points sit at multiples of stepMs (epoch-aligned). */
  stepMs: number;
  /**
   * Read already-compacted hourly rows for steps before this time even where minute rows
   * still exist: e.g. "minutes for the last 48 h, hours before" reads ~20× fewer rows.
   */
  hourlyBefore?: number;
}

export type Series = { t: number; v: number }[];

/**
 * The scheduler's input: requests per step for each pool over [from, to), dense (steps with
 * no rows are 0, meaning no traffic was recorded). Minute rows serve the range they still
 * cover; older steps come from hourly rows, and when the step is finer than an hour the
 * hour's total is spread evenly over the steps it overlaps (values may be fractional there).
 * Only counted samples (`requests`, one per upstream attempt) are included, not `dropped`.
 * One query per table for all pools, so the cron pays the same for one pool or twenty.
 */
export async function requestSeriesByPool(db: D1Database, q: SeriesQuery & { pools?: string[] }): Promise<Map<string, Series>> {
  if (!(q.stepMs >= 60_000) || q.stepMs % 60_000 !== 0) throw new RangeError("stepMs must be a positive multiple of 60000");
  const start = q.from - (q.from % q.stepMs);
  const n = Math.max(0, Math.ceil((q.to - start) / q.stepMs));
  if (n > MAX_POINTS) throw new RangeError(`series of ${n} points exceeds ${MAX_POINTS}`);
  const out = new Map<string, Series>();
  const series = (pool: string): Series => {
    let s = out.get(pool);
    if (!s) {
      s = Array.from({ length: n }, (_, i) => ({ t: start + i * q.stepMs, v: 0 }));
      out.set(pool, s);
    }
    return s;
  };
  for (const p of q.pools ?? []) series(p);
  if (n === 0) return out;

  const bounds = await rollupBounds(db);
  let split = bounds.minuteHorizon;
  if (q.hourlyBefore !== undefined) {
    const wanted = q.hourlyBefore - (q.hourlyBefore % HOUR_MS);
    split = Math.max(split, Math.min(wanted, bounds.compactedThrough));
  }
  const d = drizzle(db);
  const m = rollupMinute;
  const h = rollupHour;
  const poolFilter = (col: typeof m.pool | typeof h.pool): SQL[] => (q.pools ? [inArray(col, q.pools)] : []);
  const minuteFrom = Math.max(q.from, split);
  const hourTo = Math.min(q.to, split);
  const [minutes, hours] = await Promise.all([
    q.to > minuteFrom
      ? d
          .select({ pool: m.pool, t: sql<number>`(${m.minute} - (${m.minute} % ${q.stepMs}))`, v: sql<number>`sum(${m.requests})` })
          .from(m)
          .where(and(...poolFilter(m.pool), gte(m.minute, minuteFrom), lt(m.minute, q.to)))
          .groupBy(m.pool, sql`2`)
      : Promise.resolve([]),
    q.from < hourTo
      ? d
          .select({ pool: h.pool, t: h.hour, v: sql<number>`sum(${h.requests})` })
          .from(h)
          .where(and(...poolFilter(h.pool), gte(h.hour, q.from - (q.from % HOUR_MS)), lt(h.hour, hourTo)))
          .groupBy(h.pool, h.hour)
      : Promise.resolve([]),
  ]);
  const slot = (pool: string, t: number) => series(pool)[Math.floor((t - start) / q.stepMs)];
  for (const r of minutes) {
    const p = slot(r.pool, Number(r.t));
    if (p) p.v += Number(r.v);
  }
  for (const r of hours) {
    // Spread the hour over the steps it overlaps, inside [from, split).
    const lo = Math.max(r.t, q.from);
    const hi = Math.min(r.t + HOUR_MS, hourTo);
    for (let t = lo - ((lo - start) % q.stepMs); t < hi; t += q.stepMs) {
      const overlap = Math.min(t + q.stepMs, hi) - Math.max(t, lo);
      const p = slot(r.pool, t);
      if (p && overlap > 0) p.v += (Number(r.v) * overlap) / HOUR_MS;
    }
  }
  return out;
}

/** One pool's series (see requestSeriesByPool). */
export async function poolRequestSeries(db: D1Database, q: SeriesQuery & { pool: string }): Promise<Series> {
  const all = await requestSeriesByPool(db, { ...q, pools: [q.pool] });
  return all.get(q.pool) ?? [];
}
