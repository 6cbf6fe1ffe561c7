import { eq, lt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { healthEvents, originHealth } from "../db/schema";
import type { HealthState } from "./monitor";

export interface StoredHealth extends HealthState {
  origin: string;
  pool: string;
  checkedAt: number;
  lastError: string | null;
}

export async function loadHealth(db: D1Database): Promise<Map<string, StoredHealth>> {
  const rows = await drizzle(db).select().from(originHealth);
  return new Map(rows.map((r) => [r.origin, r]));
}

/** D1 allows 100 bound parameters per statement; a row binds 8. */
const ROWS_PER_STATEMENT = 12;

export async function saveHealth(db: D1Database, rows: readonly StoredHealth[]): Promise<void> {
  if (rows.length === 0) return;
  const d = drizzle(db);
  const statements = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    statements.push(
      d
        .insert(originHealth)
        .values(rows.slice(i, i + ROWS_PER_STATEMENT).map((r) => ({ ...r })))
        .onConflictDoUpdate({
          target: originHealth.origin,
          set: {
            pool: sql`excluded.pool`,
            healthy: sql`excluded.healthy`,
            upStreak: sql`excluded.up_streak`,
            downStreak: sql`excluded.down_streak`,
            since: sql`excluded.since`,
            checkedAt: sql`excluded.checked_at`,
            lastError: sql`excluded.last_error`,
          },
        }),
    );
  }
  const [first, ...rest] = statements;
  if (first) await d.batch([first, ...rest]);
}

/** The origins the probes hold down: what every isolate reads with its config check. */
export async function unhealthyOrigins(db: D1Database): Promise<string[]> {
  const rows = await drizzle(db).select({ origin: originHealth.origin }).from(originHealth).where(eq(originHealth.healthy, false));
  return rows.map((r) => r.origin);
}

export async function expireHealthEvents(db: D1Database, before: number): Promise<void> {
  await drizzle(db).delete(healthEvents).where(lt(healthEvents.at, before));
}
