import type { SteeringPolicyFn } from "./types";

/**
 * Weighted random order of all pools of weight > 0 (Cloudflare LB's `random` steering with
 * pool weights). Efraimidis–Spirakis keys u^(1/w) give a weighted sample without
 * replacement, so the first pool is chosen in proportion to weight and the rest stay
 * available as failover candidates.
 */
export const random: SteeringPolicyFn = ({ pools, random: rnd }) =>
  pools
    .filter((p) => p.weight > 0)
    .map((p) => ({ id: p.id, key: Math.pow(rnd(), 1 / p.weight) }))
    .sort((a, b) => b.key - a.key)
    .map((p) => p.id);
