import { failover } from "./failover";
import type { SteeringPolicyFn } from "./types";

/**
 * Lowest EWMA of observed origin latency for this colo first (Cloudflare LB's
 * dynamic_latency uses probe RTT; we use real traffic per colo and pool). With no data at
 * all this is exactly failover order. Pools not yet measured from this colo go first, in
 * failover order (optimistic initialisation): otherwise a pool that never received
 * traffic could never acquire data and would never be chosen, however fast it is. Each
 * unmeasured pool therefore costs one request of exploration per isolate and colo.
 */
export const dynamicLatency: SteeringPolicyFn = (input) => {
  const colo = input.geo.colo ?? "";
  const ranked = input.pools.map((p, i) => ({ id: p.id, i, ms: input.load.poolLatencyMs(colo, p.id) }));
  if (ranked.every((r) => r.ms === undefined)) return failover(input);
  return ranked
    .sort((a, b) => (a.ms ?? -1) - (b.ms ?? -1) || a.i - b.i)
    .map((r) => r.id);
};
