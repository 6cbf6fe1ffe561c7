import type { ClientGeo } from "../geo";

/** A pool as steering sees it: config order is failover order. */
export interface PoolCandidate {
  readonly id: string;
  readonly location?: { readonly lat: number; readonly lon: number };
  readonly weight: number;
}

/** Live pool figures from this isolate (router-owned, read-only here). */
export interface PoolLoadView {
  /** Requests in flight from this isolate to the pool. */
  poolOutstanding(poolId: string): number;
  /** EWMA of observed origin latency for (colo, pool), or undefined without data. */
  poolLatencyMs(colo: string, poolId: string): number | undefined;
}

export interface SteeringInput {
  readonly geo: ClientGeo;
  /** Pools in config (failover) order. */
  readonly pools: readonly PoolCandidate[];
  /** steering.geo: country or continent code, or "default", to an ordered pool list. */
  readonly geoMap: Readonly<Record<string, readonly string[]>>;
  readonly load: PoolLoadView;
  random(): number;
}

/**
 * A steering policy orders the pools worth trying for one request, best first, each pool
 * once, in a fresh array the caller may extend. It is pure and synchronous; the router walks the list, skipping pools with no available origin,
 * then tries the fallback pool (CONTRACT.md "Steering policies").
 */
export type SteeringPolicyFn = (input: SteeringInput) => string[];
