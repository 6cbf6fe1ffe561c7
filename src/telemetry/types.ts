/** Shapes shared by the telemetry modules and their callers (proxy, cron, control API). */

/** How one upstream attempt ended. `4xx` is the client's doing and is counted apart from errors. */
export type Outcome = "ok" | "connect" | "timeout" | "5xx" | "4xx";

/** One sample per upstream attempt: a retried request gives two, the second with `retry: true`. */
export interface RequestSample {
  /** Epoch ms when the attempt started (it decides the minute). */
  at: number;
  pool: string;
  origin: string;
  country: string;
  colo: string;
  outcome: Outcome;
  status?: number;
  latencyMs: number;
  bytes: number;
  retry: boolean;
}

export interface TelemetryStats {
  /** D1 statements sent by flushes (successful or not): the bench's cost figure. */
  statements: number;
  /** Flush transactions committed. */
  flushes: number;
  /** Flush transactions that failed (each is retried once, then dropped). */
  failedFlushes: number;
  /** Samples whose counts were given up after the retry failed (still written as `dropped`). */
  droppedRequests: number;
}

export interface FlushResult {
  ok: boolean;
  /** Rows upserted by this flush (fresh batch plus any retried batch). */
  rows: number;
  /** Samples newly written (not counting `dropped`). */
  requests: number;
  statements: number;
  /** Samples given up in this flush (their batch failed twice). */
  dropped: number;
  reason?: string;
}

/** One per-minute rollup row as the control API answers it (CONTRACT.md, metrics). */
export interface MetricsRow {
  minute: string;
  pool: string;
  origin: string;
  country: string;
  colo: string;
  requests: number;
  /** connect + timeout + 5xx; 4xx are the client's and counted in `errors_4xx` only. */
  errors: number;
  errors_connect: number;
  errors_timeout: number;
  errors_5xx: number;
  errors_4xx: number;
  retries: number;
  bytes: number;
  /** Samples counted but lost to failed flushes (see README "Telemetry"). */
  dropped: number;
  mean_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
}

/** One active health-check outcome (written to health_events). */
export interface HealthResult {
  origin: string;
  pool: string;
  at: number;
  healthy: boolean;
  status?: number | null;
  latencyMs?: number | null;
  error?: string | null;
}

/** One breaker transition (written to breaker_events). */
export interface BreakerTransition {
  origin: string;
  pool: string;
  at: number;
  fromState: string;
  toState: string;
  reason: string;
  generation: number;
}
