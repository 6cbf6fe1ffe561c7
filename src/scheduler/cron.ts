import type { EdgeRuntime } from "../edge/runtime";
import { runRetention, telemetrySettings } from "../telemetry";

export interface CronReport {
  at: string;
  retention: Awaited<ReturnType<typeof runRetention>> | { error: string };
}

/**
 * The minute cron. It flushes this isolate's telemetry first (so the rollups it compacts
 * include it), then compacts and expires rollups. Each step reports its own failure
 * instead of stopping the others; the cron retries the whole run a minute later anyway.
 */
export async function runCron(rt: EdgeRuntime, now: number): Promise<CronReport> {
  const ts = telemetrySettings(rt.env);
  await rt.telemetry.flushNow(rt.env.DB);
  let retention: CronReport["retention"];
  try {
    retention = await runRetention(rt.env.DB, now, { minuteDays: ts.minuteDays, hourDays: ts.hourDays });
  } catch (err) {
    retention = { error: err instanceof Error ? err.message : String(err) };
    console.error(JSON.stringify({ event: "retention_failed", error: retention.error }));
  }
  return { at: new Date(now).toISOString(), retention };
}
