/**
 * The platform limits the fleet model is held against, each with where it comes from, and
 * the solver for the request rate at which each is reached. Pure.
 */
import { z } from "zod";
import { cronStatementsPerMinute, fleetLoad, parseFleet, type Fleet, type FleetInput, type FleetLoad } from "./model.js";

export const platformSchema = z
  .object({
    /** Mean time D1 spends on one statement; the docs' example is 1 ms → ~1,000 queries/s. */
    d1QueryMs: z.number().positive().default(1),
    doRequestsPerObjectPerS: z.number().positive().default(1000),
    subrequestsPerInvocation: z.number().int().positive().default(1000),
    d1QueriesPerInvocation: z.number().int().positive().default(1000),
    d1MaxBytes: z.number().positive().default(10e9),
    /**
     * Bytes a rollup row takes with its primary-key and (pool, minute) indexes: 183 B
     * measured by inserting 200,000 typical rows into migrations/*.sql's schema in SQLite
     * 3.40 (five non-zero histogram buckets); D1's own page accounting may differ a little.
     */
    rollupRowBytes: z.number().positive().default(185),
  })
  .strict();
export type Platform = z.output<typeof platformSchema>;
export const PLATFORM: Platform = platformSchema.parse({});

export type LimitId = "d1_queries" | "do_object" | "d1_storage" | "request_subrequests" | "cron_invocation";

export const LIMIT_SOURCES: Record<LimitId, string> = {
  d1_queries:
    "developers.cloudflare.com/d1/platform/limits (FAQ): a D1 database is single-threaded and processes queries one at a time; at 1 ms a query, about 1,000 queries/s",
  do_object: "developers.cloudflare.com/durable-objects/platform/limits: an individual object has a soft limit of 1,000 requests/s, then answers `overloaded`",
  d1_storage: "developers.cloudflare.com/d1/platform/limits: maximum database size 10 GB (Workers Paid), not raisable",
  request_subrequests:
    "developers.cloudflare.com/workers/platform/limits: subrequests per request, 1,000 on Paid as src/breaker/warm-up.ts assumes (the page now lists 10,000); each breaker report is one",
  cron_invocation:
    "same page (subrequests: one per health probe) and the D1 limits page (1,000 queries per Worker invocation, Paid)",
};

export interface LimitUse {
  id: LimitId;
  label: string;
  value: number;
  limit: number;
  unit: string;
  utilisation: number;
}

export function limitUses(f: Fleet, p: Platform = PLATFORM, load: FleetLoad = fleetLoad(f)): LimitUse[] {
  const cron = cronStatementsPerMinute(f);
  const probes = f.pools * f.originsPerPool;
  const use = (id: LimitId, label: string, value: number, limit: number, unit: string): LimitUse => ({ id, label, value, limit, unit, utilisation: value / limit });
  return [
    use("d1_queries", "D1 queries/s (one database)", load.d1.queriesPerS, 1000 / p.d1QueryMs, "queries/s"),
    use("do_object", "calls/s to the hottest breaker object", load.durableObjects.hottestObjectPerS, p.doRequestsPerObjectPerS, "requests/s"),
    use("d1_storage", "rollup rows retained", load.rollupRows * p.rollupRowBytes, p.d1MaxBytes, "bytes"),
    use("request_subrequests", "breaker reports from one request", load.syncBurst, p.subrequestsPerInvocation, "subrequests"),
    use("cron_invocation", "cron probes / D1 queries in one run", Math.max(probes, cron.reads + cron.writes), Math.min(p.subrequestsPerInvocation, p.d1QueriesPerInvocation), "per invocation"),
  ];
}

export interface FirstLimit {
  id: LimitId;
  /** Lowest total rps at which utilisation reaches 1, or null if not below `hiRps`. */
  rps: number | null;
}

/**
 * For each limit, the total request rate at which it is reached, by bisection on log(rps).
 * Every load in the model is non-decreasing in rps (more traffic never makes an isolate
 * quieter), so the first crossing is well defined.
 */
export function firstLimits(base: Omit<FleetInput, "totalRps">, p: Platform = PLATFORM, loRps = 1, hiRps = 1e9): { first: FirstLimit | null; all: FirstLimit[] } {
  if (!(loRps > 0 && hiRps > loRps)) throw new Error("firstLimits: need 0 < loRps < hiRps");
  const util = (rps: number) => new Map(limitUses(parseFleet({ ...base, totalRps: rps }), p).map((u) => [u.id, u.utilisation]));
  const atLo = util(loRps);
  const atHi = util(hiRps);
  const ids = [...atHi.keys()];
  const all = ids.map((id): FirstLimit => {
    if ((atHi.get(id) ?? 0) < 1) return { id, rps: null };
    if ((atLo.get(id) ?? 0) >= 1) return { id, rps: loRps };
    let lo = Math.log(loRps);
    let hi = Math.log(hiRps);
    for (let i = 0; i < 50; i++) {
      const mid = (lo + hi) / 2;
      if ((util(Math.exp(mid)).get(id) ?? 0) >= 1) hi = mid;
      else lo = mid;
    }
    return { id, rps: Math.exp(hi) };
  });
  const hit = all.filter((x): x is FirstLimit & { rps: number } => x.rps !== null).sort((a, b) => a.rps - b.rps);
  return { first: hit[0] ?? null, all };
}
