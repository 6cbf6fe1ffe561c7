import { BUCKET_COUNT, HIST_COLUMNS } from "../../../src/telemetry/histogram.js";

/**
 * Seed data for the dashboard's browser test, relative to `now`: a day of per-minute traffic
 * for three pools, breaker transitions, health checks, forecasts with a null mean and an
 * anomaly flag. Written as SQL for `wrangler d1 execute --file` (numbers and fixed strings
 * only, nothing from outside). The eu-west pool's rows are built so that its true p95 (from
 * the merged histogram) differs from the largest per-row p95: the page must show the former.
 */

export const MINUTE = 60_000;
export const STEP_MS = 5 * MINUTE;

/** Bucket 10 holds (22.6, 32] ms, bucket 20 holds (724, 1024] ms (src/telemetry/histogram.ts). */
export const FAST_BUCKET = 10;
export const SLOW_BUCKET = 20;

export interface SeedRow {
  minute: number;
  pool: string;
  origin: string;
  country: string;
  colo: string;
  requests: number;
  err5xx: number;
  bucket: number;
}

/** Requests per minute of a pool at `t`: a daily wave plus a spike 20 minutes ago (the anomaly). */
export function rate(pool: string, t: number, now: number): number {
  const base = pool === "eu-west" ? 90 : pool === "us-east" ? 60 : 30;
  const wave = 1 + 0.3 * Math.sin((2 * Math.PI * t) / 86_400_000);
  const spike = pool === "eu-west" && t >= now - 22 * MINUTE && t < now - 17 * MINUTE ? 3 : 1;
  return Math.round(base * wave * spike);
}

export function rollupRows(now: number): SeedRow[] {
  const end = now - (now % MINUTE);
  const rows: SeedRow[] = [];
  for (let m = end - 86_400_000; m < end; m += MINUTE) {
    // Every minute for the last two hours, every tenth minute before (a sparser day).
    if (m < end - 2 * 3_600_000 && (m / MINUTE) % 10 !== 0) continue;
    const eu = rate("eu-west", m, now);
    // eu-west: 9 parts fast from Germany, 1 part slow from France, in every minute.
    const slow = Math.max(1, Math.round(eu / 10));
    rows.push({ minute: m, pool: "eu-west", origin: "eu-west-1", country: "DE", colo: "FRA", requests: slow * 9, err5xx: 0, bucket: FAST_BUCKET });
    rows.push({ minute: m, pool: "eu-west", origin: "eu-west-2", country: "FR", colo: "CDG", requests: slow, err5xx: Math.round(slow / 5), bucket: SLOW_BUCKET });
    rows.push({ minute: m, pool: "us-east", origin: "us-east-1", country: "US", colo: "EWR", requests: rate("us-east", m, now), err5xx: 1, bucket: 12 });
    rows.push({ minute: m, pool: "ap-south", origin: "ap-south-1", country: "SG", colo: "SIN", requests: rate("ap-south", m, now), err5xx: 0, bucket: 14 });
  }
  return rows;
}

function rollupSql(r: SeedRow): string {
  const hist = Array.from({ length: BUCKET_COUNT }, (_, k) => (k === r.bucket ? r.requests : 0));
  const latency = r.requests * 2 ** (r.bucket / 2) * 0.85;
  return `INSERT INTO rollup_minute (minute, pool, origin, country, colo, requests, err_connect, err_timeout, err_5xx, err_4xx, retries, bytes, latency_sum_ms, dropped, ${HIST_COLUMNS.join(", ")}) VALUES (${r.minute}, '${r.pool}', '${r.origin}', '${r.country}', '${r.colo}', ${r.requests}, 0, 0, ${r.err5xx}, 0, 0, ${r.requests * 512}, ${latency.toFixed(1)}, 0, ${hist.join(", ")});`;
}

export const MODEL = "holt_winters_day";
export const WAPE = 0.087;

/** Forecast runs every 5 minutes over the last 2 hours for eu-west, 12 steps each; the newest has a null-mean step. */
function forecastSql(now: number): string[] {
  const out: string[] = [];
  const lastRun = now - (now % STEP_MS);
  for (let at = lastRun - 2 * 3_600_000; at <= lastRun; at += STEP_MS) {
    const points = Array.from({ length: 12 }, (_, k) => {
      const t = at + (k + 1) * STEP_MS;
      let mean: number | null = 0;
      for (let m = t; m < t + STEP_MS; m += MINUTE) mean += Math.round(90 * (1 + 0.3 * Math.sin((2 * Math.PI * m) / 86_400_000)));
      if (at === lastRun && k === 11) mean = null;
      return { t, mean, lo90: mean === null ? null : mean * 0.85, hi90: mean === null ? null : mean * 1.15 };
    });
    out.push(
      `INSERT INTO forecasts (run_id, pool, at, model, reason, backtest_wape, baseline_wape_last, baseline_wape_seasonal, step_ms, points, anomaly) VALUES ('run-${at}', 'eu-west', ${at}, '${MODEL}', 'lowest backtest WAPE of 3 candidates', ${WAPE}, 0.21, 0.14, ${STEP_MS}, '${JSON.stringify(points)}', NULL);`,
    );
  }
  const flagAt = now - 20 * MINUTE - ((now - 20 * MINUTE) % STEP_MS);
  out.push(`INSERT INTO anomaly_flags (run_id, pool, at, kind, direction, score, reason) VALUES ('run-${flagAt}', 'eu-west', ${flagAt}, 'level', 'up', 0.93, 'requests 3.0x the forecast upper bound');`);
  return out;
}

export const TRIP_REASON = "failure rate 62% >= 50% over 40 calls";

function eventsSql(now: number): string[] {
  const e = (ago: number, from: string, to: string, reason: string, gen: number) =>
    `INSERT INTO breaker_events (origin, pool, at, from_state, to_state, reason, generation) VALUES ('eu-west-2', 'eu-west', ${now - ago * MINUTE}, '${from}', '${to}', '${reason}', ${gen});`;
  const out = [e(50, "closed", "open", TRIP_REASON, 1), e(49, "open", "half_open", "open time elapsed", 2), e(48, "half_open", "closed", "3 of 3 probes succeeded", 3)];
  for (let k = 30; k >= 1; k--) {
    for (const [origin, pool, ms] of [["eu-west-1", "eu-west", 21], ["eu-west-2", "eu-west", 48], ["us-east-1", "us-east", 12], ["ap-south-1", "ap-south", 35]] as const) {
      const bad = origin === "eu-west-2" && (k === 9 || k === 8);
      out.push(
        `INSERT INTO health_events (origin, pool, at, healthy, status, latency_ms, error) VALUES ('${origin}', '${pool}', ${now - k * MINUTE}, ${bad ? 0 : 1}, ${bad ? 503 : 200}, ${bad ? 2000 : ms + (k % 5)}, ${bad ? "'status 503'" : "NULL"});`,
      );
    }
  }
  for (const [origin, pool] of [["eu-west-1", "eu-west"], ["eu-west-2", "eu-west"], ["us-east-1", "us-east"], ["ap-south-1", "ap-south"]])
    out.push(`INSERT INTO origin_health (origin, pool, healthy, up_streak, down_streak, since, checked_at, last_error) VALUES ('${origin}', '${pool}', 1, 5, 0, ${now - 7 * MINUTE}, ${now - MINUTE}, NULL);`);
  return out;
}

export function seedSql(now: number): string {
  return [...rollupRows(now).map(rollupSql), ...forecastSql(now), ...eventsSql(now)].join("\n") + "\n";
}

/** Two config versions (the second turns debug headers off): something to diff and roll back. */
export function configs(): [unknown, unknown] {
  const pool = (id: string, lat: number, lon: number, origins: string[]) => ({
    id,
    location: { lat, lon },
    selection: "p2c_ewma",
    origins: origins.map((o, i) => ({ id: o, url: `http://127.0.0.1:${9 + i}` })),
  });
  const v1 = {
    debug_headers: true,
    steering: { policy: "proximity", fallback_pool: "us-east" },
    pools: [pool("us-east", 38.9, -77.04, ["us-east-1"]), pool("eu-west", 53.35, -6.26, ["eu-west-1", "eu-west-2"]), pool("ap-south", 1.35, 103.82, ["ap-south-1"])],
  };
  const v2 = structuredClone(v1);
  v2.debug_headers = false;
  return [v1, v2];
}
