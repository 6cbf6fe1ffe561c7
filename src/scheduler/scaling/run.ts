import type { EdgeConfig, PoolConfig, ScalingProvider } from "../../config/schema";
import type { CallRecord, ProviderDeps, ProviderTarget, ScalingProviderImpl, ScalingSecrets } from "../providers/types";
import { plan, type Plan } from "./plan";
import { DEFAULT_POLICY, policyFor, type ScalingPolicy } from "./policy";
import { expireScaling, loadPoolState, recordPool, type DecisionRow, type PoolState } from "./store";

/**
 * One scaling pass over every pool with a `scaling` block: read the pool's latest forecast
 * and planner state (D1), read its capacity (the provider), plan (pure), write when the
 * mode is forecast_and_scale and the plan changes capacity, record it all (D1). Pools are
 * independent: a missing secret, a provider error or a fault in one pool is that pool's
 * recorded outcome and the next pool still runs. Precondition: the caller holds the lease.
 */

export type ProviderRegistry = Readonly<Record<ScalingProvider, ScalingProviderImpl>>;

export interface ScalingRunDeps {
  readonly db: D1Database;
  readonly providers: ProviderRegistry;
  /** Outbound fetch, clock, sleep and randomness handed to providers (and the clock to the planner). */
  readonly io: Pick<ProviderDeps, "fetch" | "now" | "sleep" | "random">;
  readonly secrets: ScalingSecrets;
  /** Epoch ms by which every cloud call must be done (the run's time budget). */
  readonly deadline: number;
  readonly policy?: ScalingPolicy;
}

export interface ContractCall {
  run_id: string;
  pool: string;
  provider: string;
  action: string;
  at: string;
  status: number | null;
  outcome: string;
  error_code: string | null;
  attempt: number;
  latency_ms: number;
}

export interface PoolScalingReport {
  pool: string;
  mode: string;
  forecast: { at: string; model: string; peak_rps: number | null; bound: string | null; inputs: { from: string | null; to: string | null } } | null;
  plan: { current: number | null; desired: number | null; recommendation: number | null; reason: string; detail: string };
  applied: boolean;
  calls: ContractCall[];
  error?: { code: string; message: string };
}

type ScaledPool = PoolConfig & { scaling: NonNullable<PoolConfig["scaling"]> };

/** `now` is the run's time: what the planner plans for and the decisions' `at`. */
export async function runScaling(config: EdgeConfig, runId: string, now: number, deps: ScalingRunDeps): Promise<PoolScalingReport[]> {
  const pools = config.pools.filter((p): p is ScaledPool => p.scaling !== undefined);
  const out: PoolScalingReport[] = [];
  for (const pool of pools) out.push(await scalePool(pool, runId, now, deps));
  await expireScaling(deps.db, now);
  return out;
}

async function scalePool(pool: ScaledPool, runId: string, at: number, deps: ScalingRunDeps): Promise<PoolScalingReport> {
  const s = pool.scaling;
  const policy = policyFor(s, deps.policy ?? DEFAULT_POLICY);
  const calls: CallRecord[] = [];
  let state: PoolState | null = null;
  let p: Plan | null = null;
  let applied = false;
  let failure: { code: string; message: string; reason: string } | null = null;
  try {
    state = await loadPoolState(deps.db, pool.id, at, policy.stabilizationMs);
    if (s.mode === "off") {
      p = plan({ now: at, mode: "off", min: s.min, max: s.max, rpsPerInstance: s.rps_per_instance, headroom: s.headroom, current: 0, forecast: null, data: state.data, anomaly: null, recent: [], lastChangeAt: null, policy });
    } else if (deps.io.now() >= deps.deadline) {
      failure = { code: "deadline", message: "the run's time budget was spent before this pool", reason: "deadline" };
    } else {
      const impl = deps.providers[s.provider];
      const target: ProviderTarget = { pool: pool.id, provider: s.provider, target: s.target, ...(s.endpoint !== undefined ? { endpoint: s.endpoint } : {}) };
      const pdeps: ProviderDeps = { ...deps.io, secrets: deps.secrets, deadline: deps.deadline };
      const read = await impl.read(target, pdeps);
      calls.push(...read.calls);
      if (!read.ok) {
        const missing = read.calls.some((c) => c.outcome === "missing_secret");
        failure = { code: read.error.code, message: read.error.message, reason: missing ? "missing_secret" : "read_failed" };
      } else {
        const cap = read.capacity;
        p = plan({
          now: at,
          mode: s.mode,
          min: s.min,
          max: s.max,
          rpsPerInstance: s.rps_per_instance,
          headroom: s.headroom,
          current: cap.current,
          cloud: { ...(cap.min !== undefined ? { min: cap.min } : {}), ...(cap.max !== undefined ? { max: cap.max } : {}) },
          forecast: state.forecast,
          data: state.data,
          anomaly: state.anomaly,
          recent: state.recent,
          lastChangeAt: state.lastChangeAt,
          policy,
        });
        if (s.mode === "forecast_and_scale" && p.desired !== p.current) {
          const f = state.forecast;
          const intent = {
            runId,
            current: p.current,
            desired: p.desired,
            reason: p.reason,
            forecast: f && p.peak ? { model: f.model, peak: p.peak.rps, horizon_s: Math.round((p.peak.to - p.peak.from) / 1000) } : null,
          };
          const w = await impl.write(target, intent, pdeps);
          calls.push(...w.calls);
          applied = w.ok;
          if (!w.ok) failure = { code: w.error.code, message: w.error.message, reason: p.reason };
        }
      }
    }
  } catch (err) {
    // A provider or store fault is this pool's outcome, not the run's (the interface says providers throw only for bugs).
    const message = err instanceof Error ? err.message : String(err);
    console.error(JSON.stringify({ event: "scaling_pool_fault", pool: pool.id, error: message }));
    failure = { code: "fault", message, reason: "provider_fault" };
  }

  const f = state?.forecast ?? null;
  const detail = [p?.detail, failure ? `${failure.code}: ${failure.message}` : undefined].filter((x) => x).join("; ");
  const row: DecisionRow = {
    runId,
    pool: pool.id,
    at,
    provider: s.provider,
    mode: s.mode,
    inputsFrom: state?.data.from ?? null,
    inputsTo: state?.data.to ?? null,
    forecastAt: f?.at ?? null,
    forecastModel: f?.model ?? null,
    forecastPeakRps: p?.peak?.rps ?? null,
    current: p && s.mode !== "off" ? p.current : null,
    recommendation: p?.recommendation ?? null,
    desired: p && s.mode !== "off" ? p.desired : null,
    reason: failure?.reason === "provider_fault" || !p ? (failure?.reason ?? "provider_fault") : p.reason,
    detail: detail.slice(0, 1000),
    applied,
  };
  await recordPool(deps.db, row, calls);
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    pool: pool.id,
    mode: s.mode,
    forecast: f ? { at: new Date(f.at).toISOString(), model: f.model, peak_rps: p?.peak?.rps ?? null, bound: p?.peak?.bound ?? null, inputs: { from: iso(row.inputsFrom), to: iso(row.inputsTo) } } : null,
    plan: { current: row.current, desired: row.desired, recommendation: row.recommendation, reason: row.reason, detail: row.detail },
    applied,
    calls: calls.map((c) => toContractCall(runId, pool.id, c)),
    ...(failure ? { error: { code: failure.code, message: failure.message } } : {}),
  };
}

export function toContractCall(runId: string, pool: string, c: CallRecord): ContractCall {
  return {
    run_id: runId,
    pool,
    provider: c.provider,
    action: c.action,
    at: new Date(c.at).toISOString(),
    status: c.status,
    outcome: c.outcome,
    error_code: c.errorCode,
    attempt: c.attempt,
    latency_ms: c.latencyMs,
  };
}
