
import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The one D1 schema. `npm run db:generate` (drizzle-kit) writes the SQL into migrations/,
 * which `wrangler d1 migrations apply`, `npm start` and the runtime tests all apply.
 * Times are epoch milliseconds unless a column says otherwise.
 */

/** Every accepted config, append-only. The active config is the highest version. */
export const configVersions = sqliteTable("config_versions", {
  version: integer("version").primaryKey({ autoIncrement: true }),
  config: text("config").notNull(),
  createdAt: integer("created_at").notNull(),
  note: text("note").notNull().default(""),
});

/** Breaker transitions, written by the per-origin Durable Object. */
export const breakerEvents = sqliteTable(
  "breaker_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    origin: text("origin").notNull(),
    pool: text("pool").notNull().default(""),
    at: integer("at").notNull(),
    fromState: text("from_state").notNull(),
    toState: text("to_state").notNull(),
    reason: text("reason").notNull(),
    generation: integer("generation").notNull(),
  },
  (t) => [index("breaker_events_origin_at").on(t.origin, t.at), index("breaker_events_at").on(t.at)],
);

/** Active health-check results (one row per probe outcome change or probe batch). */
export const healthEvents = sqliteTable(
  "health_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    origin: text("origin").notNull(),
    pool: text("pool").notNull(),
    at: integer("at").notNull(),
    healthy: integer("healthy", { mode: "boolean" }).notNull(),
    status: integer("status"),
    latencyMs: real("latency_ms"),
    error: text("error"),
  },
  (t) => [index("health_events_origin_at").on(t.origin, t.at)],
);

