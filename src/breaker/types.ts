/**
 * Shared shapes of the breaker: the per-call outcome codes that travel from isolates to the
 * Durable Object, window counts, and the snapshot/status the object publishes.
 */

export const BREAKER_STATES = ["closed", "open", "half_open", "forced_open", "disabled"] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

/**
 * One character per call, so a batch is a short ordered string (order matters for the
 * consecutive-failure trip and for count windows). Lower case = fast, upper case = slow
 * (latency >= slow_call_ms). s = success, f = failure by status, c = connect error, t = timeout.
 */
export type OutcomeCode = "s" | "S" | "f" | "F" | "c" | "C" | "t" | "T";
export const OUTCOME_CODES: readonly string[] = ["s", "S", "f", "F", "c", "C", "t", "T"];

/** Counts over a window; connect errors, timeouts and failing statuses kept apart (Envoy users' ask). */
export interface Counts {
  calls: number;
  failures: number;
  slow: number;
  connect: number;
  timeout: number;
  status: number;
}

export function emptyCounts(): Counts {
  return { calls: 0, failures: 0, slow: 0, connect: 0, timeout: 0, status: 0 };
}

/** Adds (sign 1) or removes (sign -1) one call's code to counts, in place. */
export function countCode(c: Counts, code: string, sign: 1 | -1): void {
  c.calls += sign;
  const lower = code.toLowerCase();
  if (code !== lower) c.slow += sign;
  if (lower === "f") (c.failures += sign), (c.status += sign);
  else if (lower === "c") (c.failures += sign), (c.connect += sign);
  else if (lower === "t") (c.failures += sign), (c.timeout += sign);
}

export function isFailureCode(code: string): boolean {
  return code !== "s" && code !== "S";
}

/** What the object publishes to isolates after each call; `generation` grows on every transition. */
export interface BreakerSnapshot {
  state: BreakerState;
  since: number;
  reason: string;
  generation: number;
  /** When an open breaker becomes half-open (ms), or null. */
  openUntil: number | null;
  /** Set when thresholds were met but the colo quorum held the breaker closed. */
  wouldOpen: string | null;
  counts: Counts;
}

/** Batched report from one isolate about one origin (the only RPC on the request side). */
export interface ReportRequest {
  origin: string;
  pool: string;
  colo: string;
  isolate: string;
  /** Ordered outcome codes since the last report; may be empty (a pure refresh). */
  outcomes: string;
  /** How many of `outcomes` were admitted under a half-open probe lease. */
  probes: number;
  /** Ask for half-open probe leases (only honoured in half_open). */
  wantLeases: number;
}

export interface ReportReply {
  snapshot: BreakerSnapshot;
  /** Probe leases granted to this isolate and until when (object clock, ms). */
  leases: number;
  leaseTtlMs: number;
}

/** Admin/status view; maps onto CONTRACT.md's {state, since, reason} plus extras. */
export interface BreakerStatus {
  state: BreakerState;
  since: string;
  reason: string;
  generation: number;
  /** Thresholds met but the breaker was held closed (colo quorum or ejection cap). */
  would_open: boolean;
  /** The pool's max_ejection_percent held this breaker available although its object says open. */
  held_by_cap: boolean;
  /** The object's own state when the cap overrides what `state` shows. */
  object_state: BreakerState;
  open_until: string | null;
  counts: Counts;
}
