import type { EdgeRuntime } from "../edge/runtime";
import { runRetention, telemetrySettings } from "../telemetry";
import { type PoolForecastSummary, runForecasts } from "./forecast-run";
import type { ProbeDeps } from "../health/probe";
import { type HealthRunSummary, runHealthChecks } from "../health/run";
import { type PoolScalingReport, type ProviderRegistry, runScaling } from "./scaling/run";
import { scalingSecrets } from "./scaling/secrets";

export interface CronReport {
  run_id: string;
  at: string;
  retention: Awaited<ReturnType<typeof runRetention>> | { error: string };
  health: HealthRunSummary | { error: string };
  forecasts: PoolForecastSummary[] | { error: string };
  /** Absent when the caller ran no scaling (no registry given). */
  scaling?: PoolScalingReport[] | { error: string };
}

/** What the scaling step needs from the caller (src/scheduler/scaling/scheduler.ts, which holds the lease). */
export interface CronScaling {
  readonly providers: ProviderRegistry;
  /** Epoch ms by which the cloud calls must be done. */
  readonly deadline: number;
}

const probeDeps: ProbeDeps = {
  fetch: (url, init) => fetch(url, init),
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/**
 * The minute cron. It flushes this isolate's telemetry first (so the rollups it compacts
 * include it), compacts and expires rollups, probes origins (active health checks), then
 * forecasts every pool and stores the forecasts and anomaly flags. Each step reports its own failure
 * instead of stopping the others; the cron retries the whole run a minute later anyway.
 */
export async function runCron(rt: EdgeRuntime, now: number, runId: string, scaling?: CronScaling): Promise<CronReport> {
  const ts = telemetrySettings(rt.env);
  await rt.telemetry.flushNow(rt.env.DB);
  let retention: CronReport["retention"];
  try {
    retention = await runRetention(rt.env.DB, now, { minuteDays: ts.minuteDays, hourDays: ts.hourDays });
  } catch (err) {
    retention = { error: err instanceof Error ? err.message : String(err) };
    console.error(JSON.stringify({ event: "retention_failed", error: retention.error }));
  }
  const active = rt.config.current ?? (await rt.config.ensure());
  let health: CronReport["health"];
  try {
    const deps = { ...probeDeps, production: rt.settings.production };
    health = active ? await runHealthChecks(rt.env.DB, active.config, now, deps) : { probed: 0, down: [], changed: [] };
  } catch (err) {
    health = { error: err instanceof Error ? err.message : String(err) };
    console.error(JSON.stringify({ event: "health_checks_failed", error: health.error }));
  }
  let forecasts: CronReport["forecasts"];
  try {
    forecasts = active ? await runForecasts(rt.env.DB, active.config, now, runId) : [];
  } catch (err) {
    forecasts = { error: err instanceof Error ? err.message : String(err) };
    console.error(JSON.stringify({ event: "forecasts_failed", error: forecasts.error }));
  }
  // Scaling runs after forecasts, on what they stored (the latest forecast per pool).
  let scaled: CronReport["scaling"];
  if (scaling) {
    try {
      const io = { fetch: (input: Request | string, init?: RequestInit) => fetch(input, init), now: rt.clock.now, sleep: rt.clock.sleep, random: rt.clock.random };
      const deps = { db: rt.env.DB, providers: scaling.providers, io, secrets: scalingSecrets(rt.env), deadline: scaling.deadline };
      scaled = active ? await runScaling(active.config, runId, now, deps) : [];
    } catch (err) {
      scaled = { error: err instanceof Error ? err.message : String(err) };
      console.error(JSON.stringify({ event: "scaling_failed", error: scaled.error }));
    }
  }
  return { run_id: runId, at: new Date(now).toISOString(), retention, health, forecasts, ...(scaled !== undefined ? { scaling: scaled } : {}) };
}
