import type { HealthConfig } from "../config/schema";

/**
 * Active health checks as Cloudflare LB monitors and Envoy's health checker model them: a
 * probe passes when the origin answers `expected_codes` within `timeout_ms`; an origin is
 * marked down after `consecutive_down` failed probes in a row and up again after
 * `consecutive_up` passes. Pure: the probe's I/O is the caller's.
 */

export interface HealthState {
  healthy: boolean;
  upStreak: number;
  downStreak: number;
  /** When `healthy` last changed (epoch ms). */
  since: number;
}

/** An origin never probed counts as healthy: passive breakers still guard it meanwhile. */
export function initialHealth(now: number): HealthState {
  return { healthy: true, upStreak: 0, downStreak: 0, since: now };
}

export function nextHealth(prev: HealthState, passed: boolean, cfg: Pick<HealthConfig, "consecutive_up" | "consecutive_down">, now: number): HealthState {
  const upStreak = passed ? prev.upStreak + 1 : 0;
  const downStreak = passed ? 0 : prev.downStreak + 1;
  let healthy = prev.healthy;
  if (prev.healthy && downStreak >= cfg.consecutive_down) healthy = false;
  else if (!prev.healthy && upStreak >= cfg.consecutive_up) healthy = true;
  return { healthy, upStreak, downStreak, since: healthy === prev.healthy ? prev.since : now };
}

/** `expected_codes` such as "2xx" or "200,301,3xx" (validated by the schema). */
export function matchesExpected(status: number, expected: string): boolean {
  const s = String(status);
  return expected.split(",").some((raw) => {
    const code = raw.trim();
    return code.endsWith("xx") ? s[0] === code[0] && s.length === 3 : s === code;
  });
}
