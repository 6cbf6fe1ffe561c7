/** The control API's answers as the dashboard reads them (CONTRACT.md "HTTP" plus additive fields). */

export type BreakerState = "closed" | "open" | "half_open" | "forced_open" | "disabled";

export interface Status {
  config_version: number;
  pools: {
    id: string;
    healthy: boolean;
    origins: {
      id: string;
      url?: string;
      healthy: boolean;
      breaker: { state: BreakerState; since: string; reason: string };
      health?: { healthy: boolean; since: string | null; checked_at: string | null; last_error: string | null };
    }[];
  }[];
}

export interface Rates {
  requests: number;
  errors: number;
  error_rate: number | null;
  rps: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
}

export interface Summary {
  from: string;
  to: string;
  step_s: number;
  series: (Rates & { t: string })[];
  total: Rates;
  pools: (Rates & { pool: string })[];
  geo: { country: string; colo: string; requests: number; errors: number }[];
}

export interface ForecastPoint {
  t: string;
  mean: number | null;
  lo90: number | null;
  hi90: number | null;
}

export interface Forecast {
  run_id: string;
  pool: string;
  at: string;
  model: string;
  reason: string;
  backtest_wape: number | null;
  baseline_wape: { last_value: number | null; seasonal_naive_day: number | null };
  step_ms: number;
  points: ForecastPoint[];
  anomaly: unknown;
}

export interface Anomaly {
  pool: string;
  timestamp: string;
  kind: string;
  direction: string;
  score: number;
  reason: string;
}

export interface Forecasts {
  forecasts: Forecast[];
  anomalies: Anomaly[];
}

export interface Decision {
  run_id: string;
  pool: string;
  at: string;
  current: number | null;
  desired: number | null;
  reason: string;
  mode: string;
}

export interface ScalingCall {
  run_id: string;
  pool: string;
  provider: string;
  action: string;
  at: string;
  status: string | number | null;
  outcome: string | null;
  error_code: string | null;
  attempt: number | null;
  latency_ms: number | null;
}

export interface Scaling {
  decisions: Decision[];
  calls: ScalingCall[];
}

export interface Events {
  since: string;
  breaker: { origin: string; pool: string; at: string; from: string; to: string; reason: string; generation: number }[];
  health: { origin: string; pool: string; at: string; healthy: boolean; status: number | null; latency_ms: number | null; error: string | null }[];
}

export interface ConfigDoc {
  version: number;
  config: unknown;
}

export interface Versions {
  versions: { version: number; created_at: string; note: string }[];
}

/** A scaling call that did not do what it was asked (whatever words the provider module uses for success). */
export function callFailed(c: ScalingCall): boolean {
  if (c.error_code) return true;
  const outcome = String(c.outcome ?? c.status ?? "").toLowerCase();
  return outcome !== "" && !/^(ok|success|succeeded|applied|accepted|done|2\d\d|noop|skipped|dry_run)$/.test(outcome);
}
