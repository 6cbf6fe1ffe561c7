/**
 * What each change to the design would do to the fleet's load, in closed form from the
 * same inputs as model.ts (busy isolates: the bound that matters at scale). Pure.
 *
 * - colo hub: a Durable Object per location that its isolates report to (telemetry
 *   aggregate each flush, breaker outcomes for all origins in one call each staleness
 *   interval, the config and health versions each refresh); the hub alone talks to D1 and
 *   to the origins' breaker objects, as one busy isolate does today.
 * - Analytics Engine: the flush writes data points instead of D1 upserts (one per key).
 * - Queues: the flush sends one message; a consumer merges a batch of messages into one
 *   D1 transaction.
 * - read replicas: config and health reads through the D1 Sessions API go to replicas.
 */
import { locationsOf, saturatedPerIsolate, statementsPerFlush, type Fleet } from "./model.js";

/** Queues limits page: 5,000 messages/s per queue, consumer batches of up to 100. */
export const QUEUE_MESSAGES_PER_S = 5000;
export const QUEUE_BATCH = 100;
/** Analytics Engine limits page: 250 data points per Worker invocation. */
export const AE_POINTS_PER_INVOCATION = 250;

export interface Redesign {
  name: string;
  d1QueriesPerS: number;
  hottestObjectPerS: number;
  /** The busiest new component's load and its limit (hub calls/s, queue messages/s, AE points per invocation). */
  extra: { label: string; value: number; limit: number } | null;
}

export function redesigns(f: Fleet): Redesign[] {
  const d = f.design;
  const locs = locationsOf(f);
  const sat = saturatedPerIsolate(d, statementsPerFlush(Math.min(d.maxKeys, f.originsPerPool * f.countriesPerLocation), f.originsPerPool, f.countriesPerLocation));
  const isolates = locs.reduce((n, l) => n + l.isolates, 0);
  const maxIsolates = Math.max(...locs.map((l) => l.isolates));
  const perPool = new Array<number>(f.pools).fill(0);
  const locsPerPool = new Array<number>(f.pools).fill(0);
  for (const l of locs) {
    perPool[l.pool] = (perPool[l.pool] ?? 0) + l.isolates;
    locsPerPool[l.pool] = (locsPerPool[l.pool] ?? 0) + 1;
  }
  const reads = d.readsPerRefresh / d.refreshS;
  const writes = sat.d1QueriesPerS - reads;
  const flushes = 1 / d.flushIntervalS;
  // A consumer's upsert holds whole messages while their key strings (pool, colo, origins,
  // countries: all new per colo) fit D1's 100 bound parameters and 400 rows (src/telemetry/sql.ts).
  const keys = Math.min(d.maxKeys, f.originsPerPool * f.countriesPerLocation * (1 + d.flushIntervalS / 60));
  const stringsPerMessage = 2 + f.originsPerPool + f.countriesPerLocation;
  const perStatement = Math.max(1, Math.min(Math.floor(100 / stringsPerMessage), Math.floor(400 / keys)));
  const consumerStatements = 1 + Math.ceil(QUEUE_BATCH / perStatement);
  const today: Redesign = { name: "today", d1QueriesPerS: isolates * sat.d1QueriesPerS, hottestObjectPerS: Math.max(...perPool) / d.stalenessS, extra: null };
  return [
    today,
    {
      name: "colo hub (DO per location)",
      d1QueriesPerS: f.locations * sat.d1QueriesPerS,
      hottestObjectPerS: Math.max(...locsPerPool) / d.stalenessS,
      extra: { label: "calls/s to the busiest hub", value: maxIsolates * (1 / d.stalenessS + flushes + 1 / d.refreshS), limit: 1000 },
    },
    {
      name: "Analytics Engine telemetry",
      d1QueriesPerS: isolates * reads,
      hottestObjectPerS: today.hottestObjectPerS,
      extra: { label: "data points in one flush", value: d.maxKeys, limit: AE_POINTS_PER_INVOCATION },
    },
    {
      name: "Queues before D1 writes",
      d1QueriesPerS: isolates * reads + ((isolates * flushes) / QUEUE_BATCH) * consumerStatements,
      hottestObjectPerS: today.hottestObjectPerS,
      extra: { label: "queue messages/s", value: isolates * flushes, limit: QUEUE_MESSAGES_PER_S },
    },
    { name: "D1 read replicas (reads)", d1QueriesPerS: isolates * writes, hottestObjectPerS: today.hottestObjectPerS, extra: null },
  ];
}
