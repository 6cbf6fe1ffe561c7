import { and, desc, gte, lt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { rollupMinute } from "../db/schema.js";

/** Requests and errors per client country and edge colo over [from, to), the busiest first. */
export interface GeoTotal {
  country: string;
  colo: string;
  requests: number;
  /** connect + timeout + 5xx, as in MetricsRow. */
  errors: number;
}

/**
 * Reads rollup_minute only: the dashboard asks for the last hour or day, well inside the
 * minute retention (7 days by default), and per-country rows are what the hour rollup keeps too.
 */
export async function queryGeoTotals(db: D1Database, q: { from: number; to: number; pool?: string; limit?: number }): Promise<GeoTotal[]> {
  const t = rollupMinute;
  const requests = sql<number>`sum(${t.requests})`;
  const where = [gte(t.minute, q.from), lt(t.minute, q.to)];
  if (q.pool !== undefined) where.push(sql`${t.pool} = ${q.pool}`);
  const rows = await drizzle(db)
    .select({ country: t.country, colo: t.colo, requests, errors: sql<number>`sum(${t.errConnect} + ${t.errTimeout} + ${t.err5xx})` })
    .from(t)
    .where(and(...where))
    .groupBy(t.country, t.colo)
    .orderBy(desc(requests))
    .limit(q.limit ?? 200);
  return rows.map((r) => ({ country: r.country, colo: r.colo, requests: Number(r.requests), errors: Number(r.errors) }));
}
