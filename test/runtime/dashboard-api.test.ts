import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { HIST_COLUMNS, quantile } from "../../src/telemetry/histogram";
import { ADMIN, edge, putConfigOk } from "./edge";

/** The API fields the dashboard reads: summary (merged-histogram percentiles), events, one config version. */

const T0 = Date.parse("2026-03-02T10:00:00Z");
const MIN = 60_000;

async function rollup(minute: number, origin: string, country: string, requests: number, bucket: number, err5xx = 0): Promise<void> {
  const hist = HIST_COLUMNS.map((_, k) => (k === bucket ? requests : 0));
  await env.DB.prepare(
    `INSERT INTO rollup_minute (minute, pool, origin, country, colo, requests, err_5xx, latency_sum_ms, ${HIST_COLUMNS.join(", ")}) VALUES (?, 'dash', ?, ?, 'FRA', ?, ?, 0, ${hist.join(", ")})`,
  )
    .bind(minute, origin, country, requests, err5xx)
    .run();
}

async function json<T>(path: string): Promise<T> {
  const res = await edge(path, { headers: ADMIN });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

interface Summary {
  step_s: number;
  series: { t: string; requests: number; rps: number; p95_ms: number | null; error_rate: number | null }[];
  total: { requests: number; errors: number; p95_ms: number | null };
  pools: { pool: string; requests: number; p95_ms: number | null; rps: number }[];
  geo: { country: string; colo: string; requests: number; errors: number }[];
}

beforeAll(async () => {
  // Each minute: 900 fast requests from DE, 100 slow ones from FR (10 of them 5xx).
  for (const m of [T0 + 5 * MIN, T0 + 6 * MIN]) {
    await rollup(m, "d-1", "DE", 900, 10);
    await rollup(m, "d-2", "FR", 100, 20, 10);
  }
});

describe("GET /_edge/api/metrics/summary", () => {
  const q = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + 60 * MIN).toISOString()}&pool=dash`;

  it("takes a pool's p95 from its merged histogram, not the largest row p95", async () => {
    const s = await json<Summary>(`/_edge/api/metrics/summary?${q}&step_s=60`);
    const merged = quantile(HIST_COLUMNS.map((_, k) => (k === 10 ? 1800 : k === 20 ? 200 : 0)), 0.95)!;
    const slowRowP95 = quantile(HIST_COLUMNS.map((_, k) => (k === 20 ? 100 : 0)), 0.95)!;
    expect(s.pools).toHaveLength(1);
    expect(s.pools[0]!.requests).toBe(2000);
    expect(s.pools[0]!.p95_ms).toBeCloseTo(merged, 1);
    expect(s.pools[0]!.p95_ms).not.toBeCloseTo(slowRowP95, 0);
    expect(s.total.requests).toBe(2000);
    expect(s.total.errors).toBe(20);
  });

  it("answers every step of the range, zero where there was no traffic, with requests per second", async () => {
    const s = await json<Summary>(`/_edge/api/metrics/summary?${q}&step_s=60`);
    expect(s.step_s).toBe(60);
    expect(s.series).toHaveLength(60);
    const busy = s.series.find((p) => p.t === new Date(T0 + 5 * MIN).toISOString())!;
    expect(busy.requests).toBe(1000);
    expect(busy.rps).toBeCloseTo(1000 / 60, 6);
    expect(busy.error_rate).toBeCloseTo(0.01, 6);
    expect(s.series[0]).toMatchObject({ requests: 0, rps: 0, p95_ms: null, error_rate: null });
  });

  it("sums traffic by country and colo, the busiest first; picks a step when none is asked", async () => {
    const s = await json<Summary>(`/_edge/api/metrics/summary?${q}`);
    expect(s.geo).toEqual([
      { country: "DE", colo: "FRA", requests: 1800, errors: 0 },
      { country: "FR", colo: "FRA", requests: 200, errors: 20 },
    ]);
    expect(s.step_s).toBe(60);
    const day = await json<Summary>(`/_edge/api/metrics/summary?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 86_400_000).toISOString()}&pool=dash`);
    expect(day.step_s).toBe(720);
    expect(day.series.reduce((n, p) => n + p.requests, 0)).toBe(2000);
  });

  it("rejects a bad query with the field named, and needs the admin token", async () => {
    const bad = await edge("/_edge/api/metrics/summary?step_s=61", { headers: ADMIN });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { issues: { path: string }[] }).issues[0]!.path).toBe("step_s");
    expect((await edge("/_edge/api/metrics/summary")).status).toBe(401);
  });
});

describe("GET /_edge/api/events", () => {
  it("answers breaker transitions and health checks of an origin, newest first", async () => {
    const now = Date.now();
    await env.DB.prepare("INSERT INTO breaker_events (origin, pool, at, from_state, to_state, reason, generation) VALUES ('ev-1', 'p', ?, 'closed', 'open', 'failure rate 60%', 1), ('ev-1', 'p', ?, 'open', 'half_open', 'open time elapsed', 2)")
      .bind(now - 120_000, now - 60_000)
      .run();
    await env.DB.prepare("INSERT INTO health_events (origin, pool, at, healthy, status, latency_ms, error) VALUES ('ev-1', 'p', ?, 0, 503, 12.5, 'status 503'), ('ev-2', 'p', ?, 1, 200, 3, NULL)")
      .bind(now - 30_000, now - 20_000)
      .run();
    const e = await json<{ breaker: { to: string; at: string }[]; health: { healthy: boolean; status: number; error: string | null }[] }>("/_edge/api/events?origin=ev-1");
    expect(e.breaker.map((b) => b.to)).toEqual(["half_open", "open"]);
    expect(e.breaker[0]!.at).toBe(new Date(now - 60_000).toISOString());
    expect(e.health).toEqual([{ origin: "ev-1", pool: "p", at: new Date(now - 30_000).toISOString(), healthy: false, status: 503, latency_ms: 12.5, error: "status 503" }]);
    const old = await json<{ breaker: unknown[] }>(`/_edge/api/events?origin=ev-1&since=${new Date(now - 90_000).toISOString()}`);
    expect(old.breaker).toHaveLength(1);
  });
});

describe("GET /_edge/api/config/versions/{version}", () => {
  it("answers one stored version's config; an unknown one is 404, a malformed one 400", async () => {
    const cfg = (flag: boolean) => ({ debug_headers: flag, steering: { policy: "failover" as const }, pools: [{ id: "v", origins: [{ id: "v-1", url: "http://127.0.0.1:9" }] }] });
    const a = await putConfigOk(cfg(true));
    await putConfigOk(cfg(false));
    const v = await json<{ version: number; config: { debug_headers: boolean } }>(`/_edge/api/config/versions/${a}`);
    expect(v.version).toBe(a);
    expect(v.config.debug_headers).toBe(true);
    expect((await edge("/_edge/api/config/versions/999999", { headers: ADMIN })).status).toBe(404);
    expect((await edge("/_edge/api/config/versions/x", { headers: ADMIN })).status).toBe(400);
  });
});
