import type { SteeringPolicyFn } from "./types";

/**
 * Fewest in-flight requests (from this isolate) per unit of pool weight first, as
 * Cloudflare LB's least_outstanding_requests. Counts are isolate-local: a global count
 * would put a shared store on the request path. Ties keep config order.
 */
export const leastOutstanding: SteeringPolicyFn = ({ pools, load }) =>
  pools
    .filter((p) => p.weight > 0)
    .map((p, i) => ({ id: p.id, i, cost: (load.poolOutstanding(p.id) + 1) / p.weight }))
    .sort((a, b) => a.cost - b.cost || a.i - b.i)
    .map((p) => p.id);
