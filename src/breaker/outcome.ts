import type { BreakerConfig } from "../config/schema";
import type { OutcomeCode } from "./types";

/**
 * What the proxy tells the breaker about one try. For responses the client applies
 * `breaker.failure_statuses` itself (the config is the authority), so `success` and `status`
 * and `response` (the proxy's AttemptOutcome) are treated alike: 4xx counts as success unless
 * listed (opossum's error filter; Envoy users ask that 4xx never eject). Connect errors and
 * timeouts always count.
 */
export type CallOutcome =
  | { kind: "response"; status: number; latencyMs: number }
  | { kind: "success"; status: number; latencyMs: number }
  | { kind: "status"; status: number; latencyMs: number }
  | { kind: "connect"; latencyMs: number }
  | { kind: "timeout"; latencyMs: number };

export function statusIsFailure(status: number, failureStatuses: readonly string[]): boolean {
  const cls = `${Math.floor(status / 100)}xx`;
  const code = String(status);
  return failureStatuses.some((s) => s === cls || s === code);
}

/** The one-character wire code of an outcome (see types.ts). */
export function outcomeCode(o: CallOutcome, cfg: Pick<BreakerConfig, "failure_statuses" | "slow_call_ms">): OutcomeCode {
  const slow = o.latencyMs >= cfg.slow_call_ms;
  let code: OutcomeCode;
  if (o.kind === "connect") code = "c";
  else if (o.kind === "timeout") code = "t";
  else code = statusIsFailure(o.status, cfg.failure_statuses) ? "f" : "s";
  return slow ? (code.toUpperCase() as OutcomeCode) : code;
}
