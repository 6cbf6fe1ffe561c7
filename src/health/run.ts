import type { EdgeConfig } from "../config/schema";
import { recordHealthResults } from "../telemetry";
import { initialHealth, nextHealth } from "./monitor";
import { probeOrigin, type ProbeDeps } from "./probe";
import { expireHealthEvents, loadHealth, saveHealth, type StoredHealth } from "./store";

/** Probe results are kept as long as minute rollups (7 days). */
const HEALTH_EVENTS_KEEP_MS = 7 * 86_400_000;

/** Probes in flight at once: enough to finish a large fleet within the minute, few enough for one isolate. */
const CONCURRENCY = 16;

export interface HealthRunSummary {
  probed: number;
  down: string[];
  changed: { origin: string; healthy: boolean; error: string | null }[];
}

/**
 * One round of active health checks, run by the minute cron: every enabled origin whose
 * pool's `interval_s` has elapsed since its last probe is probed (so the cron's minute is
 * the shortest effective interval), its streaks advanced, the state stored in
 * `origin_health` and every probe result in `health_events`. Isolates read the down set
 * with their config check and stop picking those origins.
 */
export async function runHealthChecks(db: D1Database, config: EdgeConfig, now: number, deps: ProbeDeps): Promise<HealthRunSummary> {
  const prev = await loadHealth(db);
  const due = config.pools.flatMap((pool) =>
    pool.origins
      .filter((o) => o.enabled)
      .filter((o) => {
        const last = prev.get(o.id)?.checkedAt;
        // A little slack so a cron that fires a few ms early still probes a 60 s interval.
        return last === undefined || now - last >= pool.health.interval_s * 1000 - 5_000;
      })
      .map((origin) => ({ pool, origin })),
  );
  const next: StoredHealth[] = [];
  const events: Parameters<typeof recordHealthResults>[1][number][] = [];
  const changed: HealthRunSummary["changed"] = [];
  for (let i = 0; i < due.length; i += CONCURRENCY) {
    const batch = due.slice(i, i + CONCURRENCY);
    const results = await Promise.all(batch.map(({ pool, origin }) => probeOrigin(origin, pool.health, deps)));
    batch.forEach(({ pool, origin }, k) => {
      const r = results[k]!;
      const before = prev.get(origin.id) ?? { ...initialHealth(now), origin: origin.id, pool: pool.id, checkedAt: 0, lastError: null };
      const state = nextHealth(before, r.passed, pool.health, now);
      next.push({ ...state, origin: origin.id, pool: pool.id, checkedAt: now, lastError: r.error });
      events.push({ origin: origin.id, pool: pool.id, at: now, healthy: r.passed, status: r.status, latencyMs: r.latencyMs, error: r.error });
      if (state.healthy !== before.healthy) changed.push({ origin: origin.id, healthy: state.healthy, error: r.error });
    });
  }
  await saveHealth(db, next);
  await recordHealthResults(db, events);
  await expireHealthEvents(db, now - HEALTH_EVENTS_KEEP_MS);
  const down = [...new Map([...prev, ...next.map((n) => [n.origin, n] as const)])].filter(([, s]) => !s.healthy).map(([id]) => id);
  return { probed: due.length, down, changed };
}
