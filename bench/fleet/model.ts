/**
 * Fleet-scale model of the edge's background load (issue 15): D1 statements and breaker
 * Durable Object calls per second for a whole deployment, from what one isolate does on
 * its timers. Pure and closed-form; bench/fleet/sim.ts checks it by simulation and
 * bench/fleet/limits.ts compares it with the platform's limits.
 *
 * What one isolate does (the constants and where they live):
 * - every CONFIG_REFRESH_MS (5 s, src/env.ts) a request schedules one config check
 *   (loadActiveIfChanged, src/config/store.ts) and one health read (unhealthyOrigins,
 *   src/health/store.ts): 2 D1 reads, request-triggered (src/edge/handler.ts housekeeping);
 * - every TELEMETRY_FLUSH_MS (10 s, src/telemetry/settings.ts), or at TELEMETRY_MAX_KEYS
 *   (500) pending keys, one D1 batch: the flush-id insert plus the upserts
 *   (buildUpserts, src/telemetry/sql.ts, ≤ 400 rows and ≤ 100 bound strings a statement);
 *   an armed timer flushes an isolate whose traffic pauses (src/telemetry/telemetry.ts);
 * - every breaker staleness_ms (1 s, src/config/schema.ts) one report per origin it sent
 *   traffic to, to that origin's object (idFromName(originId), src/breaker/client.ts), from
 *   the first request at or after the interval: no request, no report.
 * The minute cron adds a fixed D1 load (cronStatementsPerMinute).
 *
 * Traffic: `locations` ranked by a Zipf law; each location's traffic split evenly over its
 * isolates, steered to one pool (rank mod pools, as proximity steering sends a location to
 * its nearest pool), spread evenly over the pool's origins and `countriesPerLocation`
 * countries. Arrivals are Poisson. Rates are per second, times in seconds.
 */
import { z } from "zod";
import type { Cell } from "../../src/telemetry/aggregate.js";
import { BUCKET_COUNT } from "../../src/telemetry/histogram.js";
import { buildUpserts } from "../../src/telemetry/sql.js";

export const designSchema = z
  .object({
    flushIntervalS: z.number().positive().default(10),
    maxKeys: z.number().int().min(1).default(500),
    stalenessS: z.number().positive().default(1),
    refreshS: z.number().positive().default(5),
    readsPerRefresh: z.number().int().min(0).default(2),
  })
  .strict();

export const fleetSchema = z
  .object({
    totalRps: z.number().positive().finite(),
    locations: z.number().int().min(1).max(10_000).default(300),
    isolatesPerLocation: z.number().int().min(1).max(100_000),
    /** Zipf exponent of traffic over locations ranked by size; 0 is uniform. */
    zipf: z.number().min(0).max(4).default(1),
    pools: z.number().int().min(1).max(1000).default(3),
    originsPerPool: z.number().int().min(1).max(10_000).default(3),
    countriesPerLocation: z.number().int().min(1).max(250).default(3),
    /** When set, a location runs at least ceil(its rps / this) isolates (elastic fleet). */
    maxRpsPerIsolate: z.number().positive().optional(),
    /** Pool health interval (src/config/schema.ts); the minute cron probes at most once a minute. */
    healthIntervalS: z.number().int().min(5).default(30),
    design: designSchema.default(designSchema.parse({})),
  })
  .strict()
  .refine((f) => f.pools <= f.locations, { path: ["pools"], message: "pools must not exceed locations (each pool serves at least one)" });

export type Design = z.output<typeof designSchema>;
export type Fleet = z.output<typeof fleetSchema>;
export type FleetInput = z.input<typeof fleetSchema>;

/** Parses once at the edge; a bad input throws naming the field. */
export function parseFleet(input: FleetInput): Fleet {
  const r = fleetSchema.safeParse(input);
  if (!r.success) throw new Error(`invalid fleet: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}

export interface Location {
  rank: number;
  rps: number;
  isolates: number;
  /** Requests per second reaching one of its isolates. */
  isolateRps: number;
  pool: number;
}

export function locationsOf(f: Fleet): Location[] {
  const w = Array.from({ length: f.locations }, (_, i) => (i + 1) ** -f.zipf);
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((wi, rank) => {
    const rps = (f.totalRps * wi) / sum;
    const isolates = Math.max(f.isolatesPerLocation, f.maxRpsPerIsolate ? Math.ceil(rps / f.maxRpsPerIsolate) : 0);
    return { rank, rps, isolates, isolateRps: rps / isolates, pool: rank % f.pools };
  });
}

// Per-isolate renewal cycles (Poisson arrivals at rate λ). Each is the mean time between
// two events of one timer, so its rate is 1 / cycle.

/** Request-triggered refresh: due T after the last, run by the next request: T + 1/λ. */
export function refreshCycleS(lambda: number, t: number): number {
  return t + 1 / lambda;
}

/**
 * Telemetry flush with the armed timer. A flush leaves the isolate in one of two states:
 * E (nothing pending: the timer flushed) or P (one key pending: a request flushed at its
 * housekeeping, then recorded). From E the second arrival S₂ arms the timer (flush at T,
 * back to E) unless it comes after T (it flushes then, to P); from P the first arrival A₁
 * does the same. Mean cycle over the chain's stationary mix of E and P.
 */
export function flushCycleS(lambda: number, t: number): number {
  const tail = Math.exp(-lambda * t);
  const qE = tail * (1 + lambda * t); // P(S₂ ≥ T): E → P
  const qP = tail; // P(A₁ ≥ T): P → P
  const mE = t + tail * (t + 2 / lambda); // E[max(T, S₂)]
  const mP = t + tail / lambda; // E[max(T, A₁)]
  if (qP >= 1) return 1 / lambda; // λT → 0: every flush is request-triggered, one arrival apart
  const ratio = qE / (1 - qP); // π_P / π_E
  return (mE + ratio * mP) / (1 + ratio);
}

/**
 * Breaker report for one origin (its own rate a, the isolate's λ): the next report goes at
 * the first request to any origin at or after S since the last, provided this origin saw a
 * request meanwhile. If its first request comes after S it reports at once.
 */
export function reportCycleS(a: number, lambda: number, s: number): number {
  const late = Math.exp(-a * s);
  return late * (s + 1 / a) + (1 - late) * (s + 1 / lambda);
}

/**
 * Expected distinct telemetry keys (minute × cell) after a window τ ≤ 60 s with `cells`
 * equally likely cells: the window crosses a minute boundary with probability τ/60, at a
 * uniform point, and each side fills its own cells.
 */
export function keysInWindow(cells: number, lambda: number, tau: number): number {
  const lc = lambda / cells;
  const one = cells * (1 - Math.exp(-lc * tau));
  const x = lc * tau;
  const split = x > 0 ? cells * (2 - (2 * (1 - Math.exp(-x))) / x) : 0;
  const p = Math.min(1, tau / 60);
  return (1 - p) * one + p * split;
}

const upsertMemo = new Map<string, number>();

/**
 * Statements in one flush of `keys` keys: the flush-id insert plus what buildUpserts (the
 * real chunker) makes of representative cells, round-robin over origins then countries.
 */
export function statementsPerFlush(keys: number, origins: number, countries: number): number {
  const n = Math.max(1, Math.round(keys));
  const memoKey = `${n}/${origins}/${countries}`;
  const hit = upsertMemo.get(memoKey);
  if (hit !== undefined) return hit;
  const cells: Cell[] = Array.from({ length: n }, (_, k) => ({
    minute: Math.floor(k / (origins * countries)) * 60_000, pool: "pool", origin: `o${k % origins}`,
    country: `C${Math.floor(k / origins) % countries}`, colo: "COLO", requests: 1, errConnect: 0, errTimeout: 0,
    err5xx: 0, err4xx: 0, retries: 0, bytes: 2048, latencySumMs: 20, dropped: 0, hist: new Float64Array(BUCKET_COUNT),
  }));
  const count = 1 + buildUpserts(cells).length;
  upsertMemo.set(memoKey, count);
  return count;
}

/** Flushes per second and keys per flush for one isolate. */
export function flushOf(f: Fleet, lambda: number): { rate: number; keys: number } {
  const cells = f.originsPerPool * f.countriesPerLocation;
  const t = f.design.flushIntervalS;
  const rate = 1 / flushCycleS(lambda, t);
  if (keysInWindow(cells, lambda, t) < f.design.maxKeys) return { rate, keys: Math.max(1, keysInWindow(cells, lambda, Math.min(60, 1 / rate))) };
  // The key cap fires first: flush when the window holds maxKeys keys (bisection on τ).
  let lo = 0;
  let hi = t;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (keysInWindow(cells, lambda, mid) < f.design.maxKeys) lo = mid;
    else hi = mid;
  }
  return { rate: 1 / hi, keys: f.design.maxKeys };
}

/**
 * The minute cron's D1 statements (src/scheduler/cron.ts), for N origins probed a minute:
 * retention 1 read, 3 deletes, 2 a hour for compaction; health 1 read, ⌈N/12⌉ upserts,
 * ⌈N/14⌉ event inserts, 1 delete; forecasts 2 series reads, 1 insert a pool, 2 deletes;
 * scaling 5 reads a pool, 1 decision insert a pool, run insert and update, 3 deletes.
 */
export function cronStatementsPerMinute(f: Fleet): { reads: number; writes: number } {
  const n = f.pools * f.originsPerPool * Math.min(1, 60 / f.healthIntervalS);
  const reads = 1 + 1 + 2 + 5 * f.pools;
  const writes = 3 + 2 / 60 + Math.ceil(n / 12) + Math.ceil(n / 14) + 1 + f.pools + 2 + f.pools + 2 + 3;
  return { reads, writes };
}

export interface FleetLoad {
  isolates: number;
  d1: { readsPerS: number; flushStatementsPerS: number; cronStatementsPerS: number; writesPerS: number; queriesPerS: number; rowsWrittenPerS: number; flushesPerS: number };
  durableObjects: { callsPerS: number; hottestObjectPerS: number; objects: number };
  /** rollup_minute rows kept (TELEMETRY_MINUTE_DAYS, 7) and rollup_hour rows (90 days). */
  rollupRows: number;
  /** Expected reports sent from one request's waitUntil at the busiest isolate (subrequests). */
  syncBurst: number;
}

const MINUTE_DAYS = 7;
const HOUR_DAYS = 90;

export function fleetLoad(f: Fleet): FleetLoad {
  const d = f.design;
  const origins = f.originsPerPool;
  const cellsPerLocation = origins * f.countriesPerLocation;
  let isolates = 0;
  let reads = 0;
  let flushStatements = 0;
  let flushes = 0;
  let rows = 0;
  let calls = 0;
  let burst = 0;
  let rollupRows = 0;
  const perPool = new Array<number>(f.pools).fill(0);
  for (const loc of locationsOf(f)) {
    const lambda = loc.isolateRps;
    isolates += loc.isolates;
    reads += (loc.isolates * d.readsPerRefresh) / refreshCycleS(lambda, d.refreshS);
    const fl = flushOf(f, lambda);
    flushes += loc.isolates * fl.rate;
    flushStatements += loc.isolates * fl.rate * statementsPerFlush(fl.keys, origins, f.countriesPerLocation);
    rows += loc.isolates * fl.rate * fl.keys;
    const a = lambda / origins;
    const perObject = loc.isolates / reportCycleS(a, lambda, d.stalenessS);
    calls += perObject * origins;
    perPool[loc.pool] = (perPool[loc.pool] ?? 0) + perObject;
    burst = Math.max(burst, origins * (1 - Math.exp(-a * d.stalenessS)));
    // Isolates of one colo add into the same rows: a row per (minute or hour, cell, colo).
    const seen = (window: number) => cellsPerLocation * (1 - Math.exp(-(loc.rps / cellsPerLocation) * window));
    rollupRows += seen(60) * 1440 * MINUTE_DAYS + seen(3600) * 24 * HOUR_DAYS;
  }
  const cron = cronStatementsPerMinute(f);
  return {
    isolates,
    d1: {
      readsPerS: reads,
      flushStatementsPerS: flushStatements,
      cronStatementsPerS: (cron.reads + cron.writes) / 60,
      writesPerS: flushStatements + cron.writes / 60,
      queriesPerS: reads + flushStatements + (cron.reads + cron.writes) / 60,
      rowsWrittenPerS: rows,
      flushesPerS: flushes,
    },
    durableObjects: { callsPerS: calls, hottestObjectPerS: Math.max(...perPool), objects: f.pools * origins },
    rollupRows,
    syncBurst: burst,
  };
}

/** What every isolate costs once busy (λ → ∞): D1 queries/s and reports/s per origin it serves. */
export function saturatedPerIsolate(d: Design, statementsPerBusyFlush = 2): { d1QueriesPerS: number; reportsPerOriginPerS: number } {
  return { d1QueriesPerS: d.readsPerRefresh / d.refreshS + statementsPerBusyFlush / d.flushIntervalS, reportsPerOriginPerS: 1 / d.stalenessS };
}
