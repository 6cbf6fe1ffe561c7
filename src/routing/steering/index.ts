import type { SteeringPolicy } from "../../config/schema";
import { dynamicLatency } from "./dynamic-latency";
import { failover } from "./failover";
import { geo } from "./geo";
import { leastOutstanding } from "./least-outstanding";
import { proximity } from "./proximity";
import { random } from "./random";
import type { SteeringInput, SteeringPolicyFn } from "./types";

export const STEERING: Record<SteeringPolicy, SteeringPolicyFn> = {
  proximity,
  geo,
  failover,
  random,
  least_outstanding: leastOutstanding,
  dynamic_latency: dynamicLatency,
};

/**
 * The pools to try for one request, in order, each at most once: the policy's preference,
 * then the fallback pool. Availability is the router's concern (it skips pools with no
 * available origin while walking this list).
 */
export function candidatePools(policy: SteeringPolicy, input: SteeringInput, fallbackPool: string | undefined): string[] {
  const ordered = STEERING[policy](input);
  // Policies list each pool once; only the fallback can repeat one.
  if (fallbackPool !== undefined && !ordered.includes(fallbackPool)) ordered.push(fallbackPool);
  return ordered;
}

export type { PoolCandidate, PoolLoadView, SteeringInput, SteeringPolicyFn } from "./types";
