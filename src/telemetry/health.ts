import { drizzle } from "drizzle-orm/d1";
import { breakerEvents, healthEvents } from "../db/schema.js";
import type { BreakerTransition, HealthResult } from "./types.js";

/**
 * Health-check results and breaker transitions go to their own append-only tables, one
 * multi-row INSERT per chunk. Chunk sizes keep each statement under D1's 100 bound
 * parameters (health_events binds 7 per row, breaker_events 7).
 */
const ROWS_PER_INSERT = 14;

function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

export async function recordHealthResults(db: D1Database, rows: readonly HealthResult[]): Promise<void> {
  if (rows.length === 0) return;
  const d = drizzle(db);
  const [first, ...rest] = chunks(rows, ROWS_PER_INSERT).map((c) =>
    d.insert(healthEvents).values(
      c.map((r) => ({
        origin: r.origin,
        pool: r.pool,
        at: r.at,
        healthy: r.healthy,
        status: r.status ?? null,
        latencyMs: r.latencyMs ?? null,
        error: r.error === undefined || r.error === null ? null : r.error.slice(0, 500),
      })),
    ),
  );
  if (first) await d.batch([first, ...rest]);
}

export async function recordBreakerTransitions(db: D1Database, rows: readonly BreakerTransition[]): Promise<void> {
  if (rows.length === 0) return;
  const d = drizzle(db);
  const [first, ...rest] = chunks(rows, ROWS_PER_INSERT).map((c) =>
    d.insert(breakerEvents).values(c.map((r) => ({ ...r, reason: r.reason.slice(0, 500) }))),
  );
  if (first) await d.batch([first, ...rest]);
}
