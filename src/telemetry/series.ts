import { and, eq, gte, lt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { rollupHour, rollupMinute } from "../db/schema.js";
import { minuteHorizon } from "./queries.js";
import { HOUR_MS } from "./retention.js";

/** Longest series answered in one call (14 days at one minute is 20,160 points). */
export const MAX_POINTS = 100_000;

export interface SeriesQuery {
  pool: string;
  from: number;
  to: number;
  /** A multiple of 60,000 ms. Points sit at multiples of stepMs (epoch-aligned). */
  stepMs: number;
}

/**
 * The scheduler's input: requests per step for one pool over [from, to), dense (steps with
 * no rows are 0, meaning no traffic was recorded). Minute rows serve the range they still
 * cover; older steps come from hourly rows, and when the step is finer than an hour the
 * hour's total is spread evenly over the steps it overlaps (values may be fractional there).
 * Only counted samples (`requests`, one per upstream attempt) are included, not `dropped`.
 */
export async function poolRequestSeries(db: D1Database, q: SeriesQuery): Promise<{ t: number; v: number }[]> {
  if (!(q.stepMs >= 60_000) || q.stepMs % 60_000 !== 0) throw new RangeError("stepMs must be a positive multiple of 60000");
  const start = q.from - (q.from % q.stepMs);
  const n = Math.max(0, Math.ceil((q.to - start) / q.stepMs));
  if (n > MAX_POINTS) throw new RangeError(`series of ${n} points exceeds ${MAX_POINTS}`);
  const out = Array.from({ length: n }, (_, i) => ({ t: start + i * q.stepMs, v: 0 }));
  if (n === 0) return out;

  const d = drizzle(db);
  const horizon = await minuteHorizon(db);
  const minuteFrom = Math.max(q.from, horizon);
  const m = rollupMinute;
  const h = rollupHour;
  const [minutes, hours] = await Promise.all([
    q.to > minuteFrom
      ? d
          .select({ t: sql<number>`(${m.minute} - (${m.minute} % ${q.stepMs}))`, v: sql<number>`sum(${m.requests})` })
          .from(m)
          .where(and(eq(m.pool, q.pool), gte(m.minute, minuteFrom), lt(m.minute, q.to)))
          .groupBy(sql`1`)
      : Promise.resolve([]),
    q.from < Math.min(q.to, horizon)
      ? d
          .select({ t: h.hour, v: sql<number>`sum(${h.requests})` })
          .from(h)
          .where(and(eq(h.pool, q.pool), gte(h.hour, q.from - (q.from % HOUR_MS)), lt(h.hour, Math.min(q.to, horizon))))
          .groupBy(h.hour)
      : Promise.resolve([]),
  ]);
  const slot = (t: number): { t: number; v: number } | undefined => out[Math.floor((t - start) / q.stepMs)];
  for (const r of minutes) {
    const p = slot(Number(r.t));
    if (p) p.v += Number(r.v);
  }
  for (const r of hours) {
    // Spread the hour over the steps it overlaps, inside [from, to).
    const lo = Math.max(r.t, q.from);
    const hi = Math.min(r.t + HOUR_MS, q.to);
    for (let t = lo - ((lo - start) % q.stepMs); t < hi; t += q.stepMs) {
      const overlap = Math.min(t + q.stepMs, hi) - Math.max(t, lo);
      const p = slot(t);
      if (p && overlap > 0) p.v += (Number(r.v) * overlap) / HOUR_MS;
    }
  }
  return out;
}
