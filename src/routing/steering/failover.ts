import type { SteeringPolicyFn } from "./types";

/** Cloudflare LB's `off` steering: pools in the configured order. */
export const failover: SteeringPolicyFn = ({ pools }) => pools.map((p) => p.id);
