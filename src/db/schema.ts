
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { HIST_COLUMNS, type HistColumn } from "../telemetry/histogram";

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


/* ---- Traffic telemetry (src/telemetry). Counts are additive: every write is an upsert that adds. ---- */

function histColumn(name: string) {
  return integer(name).notNull().default(0);
}

/** Counters and the latency histogram (h00..h33, bounds in src/telemetry/histogram.ts). */
function rollupColumns() {
  const hist = Object.fromEntries(HIST_COLUMNS.map((c) => [c, histColumn(c)])) as {
    [K in HistColumn]: ReturnType<typeof histColumn>;
  };
  return {
    pool: text("pool").notNull(),
    origin: text("origin").notNull(),
    country: text("country").notNull(),
    colo: text("colo").notNull(),
    requests: integer("requests").notNull().default(0),
    errConnect: integer("err_connect").notNull().default(0),
    errTimeout: integer("err_timeout").notNull().default(0),
    err5xx: integer("err_5xx").notNull().default(0),
    err4xx: integer("err_4xx").notNull().default(0),
    retries: integer("retries").notNull().default(0),
    bytes: integer("bytes").notNull().default(0),
    latencySumMs: real("latency_sum_ms").notNull().default(0),
    /** Samples lost to a flush that failed twice: counted here so the loss is visible. */
    dropped: integer("dropped").notNull().default(0),
    ...hist,
  };
}

/** Per-minute rollups; `minute` is the epoch ms of the minute's start. Kept 7 days by default. */
export const rollupMinute = sqliteTable(
  "rollup_minute",
  { minute: integer("minute").notNull(), ...rollupColumns() },
  (t) => [
    primaryKey({ columns: [t.minute, t.pool, t.origin, t.country, t.colo] }),
    index("rollup_minute_pool_minute").on(t.pool, t.minute),
  ],
);

/** Hourly rollups recomputed from rollup_minute by the cron; `hour` is epoch ms. Kept 90 days by default. */
export const rollupHour = sqliteTable(
  "rollup_hour",
  { hour: integer("hour").notNull(), ...rollupColumns() },
  (t) => [
    primaryKey({ columns: [t.hour, t.pool, t.origin, t.country, t.colo] }),
    index("rollup_hour_pool_hour").on(t.pool, t.hour),
  ],
);

/**
 * Ids of committed telemetry flushes. A flush inserts its id in the same transaction as its
 * upserts, so a retry of a flush whose outcome was unknown (committed, but the answer was
 * lost) fails on this key instead of counting twice. Pruned by the cron after six hours.
 */
export const telemetryFlush = sqliteTable(
  "telemetry_flush",
  { id: text("id").primaryKey(), at: integer("at").notNull() },
  (t) => [index("telemetry_flush_at").on(t.at)],
);

/** One row per pool per cron run: the forecast the scheduler made and why that model. */
export const forecasts = sqliteTable(
  "forecasts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id").notNull(),
    pool: text("pool").notNull(),
    at: integer("at").notNull(),
    model: text("model").notNull(),
    reason: text("reason").notNull(),
    backtestWape: real("backtest_wape"),
    baselineWapeLast: real("baseline_wape_last"),
    baselineWapeSeasonal: real("baseline_wape_seasonal"),
    stepMs: integer("step_ms").notNull(),
    /** JSON [{t, mean, lo90, hi90}] in requests per step. */
    points: text("points").notNull(),
    /** JSON of the anomaly in force at the run, or null. */
    anomaly: text("anomaly"),
  },
  (t) => [index("forecasts_pool_at").on(t.pool, t.at), index("forecasts_at").on(t.at)],
);

/** Anomaly flags per pool and step, as the detector raised them seeing the data in order. */
export const anomalyFlags = sqliteTable(
  "anomaly_flags",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id").notNull(),
    pool: text("pool").notNull(),
    at: integer("at").notNull(),
    kind: text("kind").notNull(),
    direction: text("direction").notNull(),
    score: real("score").notNull(),
    reason: text("reason").notNull(),
  },
  (t) => [uniqueIndex("anomaly_flags_pool_at_kind").on(t.pool, t.at, t.kind), index("anomaly_flags_at").on(t.at)],
);

/** Each origin's active health as the cron's probes left it (one row per origin). */
export const originHealth = sqliteTable("origin_health", {
  origin: text("origin").primaryKey(),
  pool: text("pool").notNull(),
  healthy: integer("healthy", { mode: "boolean" }).notNull(),
  upStreak: integer("up_streak").notNull(),
  downStreak: integer("down_streak").notNull(),
  since: integer("since").notNull(),
  checkedAt: integer("checked_at").notNull(),
  lastError: text("last_error"),
});

/* ---- Scaling (src/scheduler/scaling): one row per run, per pool per run, per cloud call. Never a secret. ---- */

/** One row per scheduler run that held the lease; `ended_at` stays null when the run crashed. */
export const scalingRuns = sqliteTable(
  "scaling_runs",
  {
    runId: text("run_id").primaryKey(),
    startedAt: integer("started_at").notNull(),
    endedAt: integer("ended_at"),
    /** "cron" or "api". */
    trigger: text("trigger").notNull(),
  },
  (t) => [index("scaling_runs_started_at").on(t.startedAt)],
);

/** The plan for one pool in one run: its inputs, the rule that bound it, and whether a write took. */
export const scalingDecisions = sqliteTable(
  "scaling_decisions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id").notNull(),
    pool: text("pool").notNull(),
    at: integer("at").notNull(),
    provider: text("provider").notNull(),
    mode: text("mode").notNull(),
    /** Oldest and newest rollup minute behind the forecast (null: no data). */
    inputsFrom: integer("inputs_from"),
    inputsTo: integer("inputs_to"),
    forecastAt: integer("forecast_at"),
    forecastModel: text("forecast_model"),
    /** Peak requests per second over the planning window (upper 90% bound where known). */
    forecastPeakRps: real("forecast_peak_rps"),
    /** Null when the provider could not be read. */
    current: integer("current"),
    /** The undamped recommendation (clamped, after the dead-band); the stabilization window reads it. */
    recommendation: integer("recommendation"),
    desired: integer("desired"),
    reason: text("reason").notNull(),
    detail: text("detail").notNull().default(""),
    /** True once the provider confirmed the write of `desired`. */
    applied: integer("applied", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [uniqueIndex("scaling_decisions_run_pool").on(t.runId, t.pool), index("scaling_decisions_pool_at").on(t.pool, t.at), index("scaling_decisions_at").on(t.at)],
);

/** Every HTTP exchange with a cloud (one row per attempt), as the provider reported it. */
export const scalingCalls = sqliteTable(
  "scaling_calls",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id").notNull(),
    pool: text("pool").notNull(),
    /** Order of the call within the pool's run, so re-recording a run inserts nothing twice. */
    seq: integer("seq").notNull(),
    provider: text("provider").notNull(),
    action: text("action").notNull(),
    at: integer("at").notNull(),
    status: integer("status"),
    outcome: text("outcome").notNull(),
    errorCode: text("error_code"),
    attempt: integer("attempt").notNull(),
    latencyMs: real("latency_ms").notNull(),
    message: text("message"),
  },
  (t) => [uniqueIndex("scaling_calls_run_pool_seq").on(t.runId, t.pool, t.seq), index("scaling_calls_pool_at").on(t.pool, t.at), index("scaling_calls_at").on(t.at)],
);
