import type { BreakerConfig } from "../config/schema";

/**
 * How long the breaker stays open after its `reopens`-th consecutive open (0 = first).
 * Exponential like Envoy's base_ejection_time × ejections and cockatiel's halfOpenAfter
 * backoff, capped by open_max_ms (Envoy max_ejection_time); reset to open_ms once the
 * breaker closes. Jitter of ±20% keeps a fleet of origins that failed together from
 * probing in lockstep; the result never leaves [open_ms, open_max_ms].
 */
export function openDurationMs(cfg: Pick<BreakerConfig, "open_ms" | "open_max_ms">, reopens: number, random: () => number): number {
  const exp = Math.min(reopens, 30);
  const base = Math.min(cfg.open_max_ms, cfg.open_ms * 2 ** exp);
  const jittered = base * (0.8 + 0.4 * random());
  return Math.round(Math.min(cfg.open_max_ms, Math.max(cfg.open_ms, jittered)));
}
