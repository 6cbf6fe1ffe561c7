import type { EdgeConfig } from "../config/schema";
import { requestSeriesByPool } from "../telemetry";
import { forecastPool } from "./forecast/pool";
import { expireForecasts, storeForecast } from "./forecast-store";

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Forecasts and anomaly flags are kept this long (the dashboard's forecast-vs-actual view). */
export const FORECAST_KEEP_MS = 30 * DAY;

export interface PoolForecastSummary {
  pool: string;
  ok: boolean;
  model?: string;
  reason: string;
  backtest_wape?: number;
  anomaly?: unknown;
  next?: { t: string; mean: number; lo90: number; hi90: number | null };
}

/**
 * One forecast per pool from the pool's per-minute request totals over the 14 days before
 * the current minute (minute rows for the last 2 days, hourly rows before: ~20× fewer rows
 * read), stored with its flags. A pool whose forecast or store fails is reported and the others still run.
 */
export async function runForecasts(db: D1Database, config: EdgeConfig, now: number, runId: string): Promise<PoolForecastSummary[]> {
  const pools = config.pools.map((p) => p.id);
  // The current minute is still being flushed by the edges: read up to its start, or its
  // partial count (often zero at :00) would read as a collapse of traffic.
  const to = now - (now % MINUTE);
  const series = await requestSeriesByPool(db, { from: to - 14 * DAY, to, stepMs: MINUTE, hourlyBefore: to - 2 * DAY, pools });
  const out: PoolForecastSummary[] = [];
  for (const pool of pools) {
    try {
      const f = forecastPool(series.get(pool) ?? [], { now });
      if (!f.ok) {
        out.push({ pool, ok: false, reason: f.reason });
        continue;
      }
      await storeForecast(db, runId, pool, now, f);
      const first = f.points[0];
      out.push({
        pool,
        ok: true,
        model: f.model,
        reason: f.reason,
        backtest_wape: f.backtestWape,
        anomaly: f.anomaly,
        ...(first ? { next: { t: new Date(first.t).toISOString(), mean: first.mean, lo90: first.lo90, hi90: Number.isFinite(first.hi90) ? first.hi90 : null } } : {}),
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      console.error(JSON.stringify({ event: "forecast_failed", pool, error: reason }));
      out.push({ pool, ok: false, reason: `failed: ${reason}` });
    }
  }
  await expireForecasts(db, now, FORECAST_KEEP_MS);
  return out;
}
