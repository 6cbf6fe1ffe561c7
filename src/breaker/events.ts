import { drizzle } from "drizzle-orm/d1";
import { breakerEvents } from "../db/schema";
import type { Transition } from "./state-machine";

/**
 * Transitions go to D1 (`breaker_events`, read by the dashboard) through an outbox in the
 * object's own SQLite storage: the transition is durable the moment it happens, and a D1
 * outage only delays the dashboard (fail-open for D1: the breaker never waits on it to act).
 */
export interface OutboxRow {
  origin: string;
  pool: string;
  transition: Transition;
}

// D1 binds at most 100 parameters per statement; a row takes 7.
const ROWS_PER_INSERT = 14;

export async function writeEvents(db: D1Database, rows: readonly OutboxRow[]): Promise<void> {
  const orm = drizzle(db);
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT).map((r) => ({
      origin: r.origin,
      pool: r.pool,
      at: r.transition.at,
      fromState: r.transition.from,
      toState: r.transition.to,
      reason: r.transition.reason,
      generation: r.transition.generation,
    }));
    await orm.insert(breakerEvents).values(chunk);
  }
}
