import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import {
  poolRequestSeries,
  queryRollupSummary,
  requestSeriesByPool,
  recordBreakerTransitions,
  recordHealthResults,
  runRetention,
  Telemetry,
} from "../../src/telemetry";

const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);
const H = 3_600_000;
const DAY = 86_400_000;
const HIST = Array.from({ length: 34 }, (_, k) => `h${String(k).padStart(2, "0")}`);
const COLS = ["requests", "err_5xx", "retries", "bytes", "dropped", ...HIST];

async function clear(): Promise<void> {
  await env.DB.batch(
    ["rollup_minute", "rollup_hour", "telemetry_flush", "health_events", "breaker_events"].map((t) => env.DB.prepare(`DELETE FROM ${t}`)),
  );
}

async function sums(table: "rollup_minute" | "rollup_hour", where = "1"): Promise<Record<string, number>> {
  const r = await env.DB.prepare(`SELECT ${COLS.map((c) => `coalesce(sum(${c}),0) AS ${c}`).join(", ")} FROM ${table} WHERE ${where}`).first<Record<string, number>>();
  return r ?? {};
}

async function count(table: string): Promise<number> {
  return (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())?.n ?? 0;
}

/** Five hours of traffic from T0, 2 pools, 40 samples a minute; returns samples per pool per hour. */
async function seed(): Promise<Map<string, number>> {
  const tel = new Telemetry({ now: () => T0 });
  const perPoolHour = new Map<string, number>();
  for (let m = 0; m < 300; m++) {
    for (let j = 0; j < 40; j++) {
      const pool = j % 4 === 0 ? "us" : "eu";
      tel.record({
        at: T0 + m * 60_000 + j, pool, origin: `${pool}-${j % 3}`, country: ["DE", "US", "JP"][j % 3] as string, colo: "FRA",
        outcome: j % 9 === 0 ? "5xx" : "ok", latencyMs: 3 + ((m * 7 + j * 13) % 400), bytes: 512, retry: j % 7 === 0,
      });
      const k = `${pool}:${Math.floor(m / 60)}`;
      perPoolHour.set(k, (perPoolHour.get(k) ?? 0) + 1);
    }
    if (m % 30 === 29) expect((await tel.flushNow(env.DB)).ok).toBe(true);
  }
  return perPoolHour;
}

beforeEach(clear);

describe("hourly compaction and retention", () => {
  it("compacts complete hours with totals and merged histograms equal, idempotently", async () => {
    await seed();
    const minutes = await sums("rollup_minute");
    expect(minutes.requests).toBe(12_000);
    const now = T0 + 5 * H + 15 * 60_000; // hour 5 just complete + lateness margin
    const r1 = await runRetention(env.DB, now);
    expect(r1.hoursCompacted).toBe(5);
    expect(r1.minuteRowsDeleted).toBe(0);
    expect(await sums("rollup_hour")).toEqual(minutes);
    const rows = await count("rollup_hour");
    // Second cron run: nothing new, nothing doubled.
    const r2 = await runRetention(env.DB, now);
    expect(r2.hoursCompacted).toBe(0);
    expect(await sums("rollup_hour")).toEqual(minutes);
    // Forced recompute of every hour: same rows again, not added.
    const r3 = await runRetention(env.DB, now, { recomputeFrom: T0 });
    expect(r3.hoursCompacted).toBe(5);
    expect(await sums("rollup_hour")).toEqual(minutes);
    expect(await count("rollup_hour")).toBe(rows);
    expect(await sums("rollup_minute")).toEqual(minutes);
  });

  it("leaves an hour alone until it is complete and past the lateness margin", async () => {
    await seed();
    const r = await runRetention(env.DB, T0 + 2 * H + 5 * 60_000, { lateMs: 10 * 60_000 });
    expect(r.hoursCompacted).toBe(1);
    expect((await sums("rollup_hour")).requests).toBe(2400);
  });

  it("deletes minute rows after minuteDays and hour rows after hourDays, never before compaction", async () => {
    await seed();
    // A long cron outage: the first run is 8 days later, and compacts at most 2 hours a run.
    const later = T0 + 8 * DAY;
    const r1 = await runRetention(env.DB, later, { maxHoursPerRun: 2 });
    expect(r1.hoursCompacted).toBe(2);
    expect((await sums("rollup_hour")).requests).toBe(4800);
    expect((await sums("rollup_minute")).requests).toBe(7200); // only compacted hours went
    await runRetention(env.DB, later, { maxHoursPerRun: 2 });
    await runRetention(env.DB, later, { maxHoursPerRun: 2 });
    expect(await count("rollup_minute")).toBe(0);
    expect((await sums("rollup_hour")).requests).toBe(12_000);
    // Configurable hour retention.
    const r4 = await runRetention(env.DB, T0 + 31 * DAY, { hourDays: 30 });
    expect(r4.hourRowsDeleted).toBeGreaterThan(0);
    expect(await count("rollup_hour")).toBe(0);
  });

  it("keeps minute rows for minuteDays by default and hour rows for 90 days", async () => {
    await seed();
    await runRetention(env.DB, T0 + 6 * DAY);
    expect((await sums("rollup_minute")).requests).toBe(12_000);
    await runRetention(env.DB, T0 + 7 * DAY + 5 * H);
    expect(await count("rollup_minute")).toBe(0);
    await runRetention(env.DB, T0 + 89 * DAY);
    expect((await sums("rollup_hour")).requests).toBe(12_000);
    await runRetention(env.DB, T0 + 90 * DAY + 5 * H);
    expect(await count("rollup_hour")).toBe(0);
  });
});

describe("poolRequestSeries", () => {
  it("joins hourly rows (older) and minute rows (recent) into one dense per-step series", async () => {
    const perPoolHour = await seed();
    // Minutes kept 1 day: at T0+1d+3h hours 0–2 live only in rollup_hour, hours 3–4 in minutes.
    await runRetention(env.DB, T0 + DAY + 3 * H + 15 * 60_000, { minuteDays: 1 });
    expect(await count("rollup_minute")).toBeGreaterThan(0);
    expect((await sums("rollup_minute", `minute < ${T0 + 3 * H}`)).requests).toBe(0);

    const hourly = await poolRequestSeries(env.DB, { pool: "eu", from: T0, to: T0 + 5 * H, stepMs: H });
    expect(hourly.map((p) => p.t)).toEqual([0, 1, 2, 3, 4].map((i) => T0 + i * H));
    expect(hourly.map((p) => p.v)).toEqual([0, 1, 2, 3, 4].map((i) => perPoolHour.get(`eu:${i}`)));

    const perMinute = await poolRequestSeries(env.DB, { pool: "eu", from: T0, to: T0 + 5 * H, stepMs: 60_000 });
    expect(perMinute).toHaveLength(300);
    expect(perMinute[0]?.v).toBeCloseTo((perPoolHour.get("eu:0") ?? 0) / 60, 9); // spread hour
    expect(perMinute[200]?.v).toBe(30); // exact minute: 30 of 40 samples a minute are "eu"
    expect(perMinute.reduce((n, p) => n + p.v, 0)).toBeCloseTo(9000, 6);

    // Gaps are zeros, and steps outside the data too.
    const wide = await poolRequestSeries(env.DB, { pool: "us", from: T0 - H, to: T0 + 6 * H, stepMs: H });
    expect(wide[0]?.v).toBe(0);
    expect(wide[6]?.v).toBe(0);
    expect(wide.reduce((n, p) => n + p.v, 0)).toBe(3000);
  });

  it("reads compacted hours instead of minutes before hourlyBefore, for all pools in one call", async () => {
    const perPoolHour = await seed();
    await runRetention(env.DB, T0 + 3 * H + 15 * 60_000); // hours 0–2 compacted, all minutes kept
    const q = { from: T0, to: T0 + 5 * H, stepMs: 60_000 };
    const exact = await requestSeriesByPool(env.DB, q);
    const mixed = await requestSeriesByPool(env.DB, { ...q, hourlyBefore: T0 + 4 * H }); // capped at what is compacted: T0+3h
    expect([...exact.keys()].sort()).toEqual(["eu", "us"]);
    const eu = mixed.get("eu") ?? [];
    expect(eu[0]?.v).toBeCloseTo((perPoolHour.get("eu:0") ?? 0) / 60, 9); // from the hourly row, spread
    expect(exact.get("eu")?.[0]?.v).toBe(30); // from the minute row
    expect(eu.slice(180)).toEqual(exact.get("eu")?.slice(180)); // hour 3 on: minutes, not yet compacted
    for (const pool of ["eu", "us"]) {
      const a = (exact.get(pool) ?? []).reduce((n, p) => n + p.v, 0);
      const b = (mixed.get(pool) ?? []).reduce((n, p) => n + p.v, 0);
      expect(b).toBeCloseTo(a, 6);
    }
  });

  it("summarises hourly and minute rows alike, per origin, with percentiles from merged histograms", async () => {
    const perPoolHour = await seed();
    const before = await queryRollupSummary(env.DB, { from: T0, to: T0 + 5 * H, stepMs: H, by: "origin" });
    await runRetention(env.DB, T0 + DAY + 3 * H + 15 * 60_000, { minuteDays: 1 });
    const after = await queryRollupSummary(env.DB, { from: T0, to: T0 + 5 * H, stepMs: H, by: "origin" });
    // Same rows whether an hour is read from its 60 minute rows or from its compacted row.
    expect(after).toEqual(before);
    expect(after.filter((r) => r.pool === "eu").map((r) => r.origin).slice(0, 3)).toEqual(["eu-0", "eu-1", "eu-2"]);
    const euHour0 = after.filter((r) => r.pool === "eu" && r.t === T0).reduce((n, r) => n + r.requests, 0);
    expect(euHour0).toBe(perPoolHour.get("eu:0"));
    expect(after.every((r) => r.p50_ms !== null && (r.p50_ms ?? 0) <= (r.p99_ms ?? 0))).toBe(true);
  });

  it("rejects a step that is not a whole number of minutes", async () => {
    await expect(poolRequestSeries(env.DB, { pool: "eu", from: T0, to: T0 + H, stepMs: 1000 })).rejects.toThrow(RangeError);
  });
});

describe("health and breaker tables", () => {
  it("writes health results and breaker transitions in chunks under D1's parameter limit", async () => {
    await recordHealthResults(
      env.DB,
      Array.from({ length: 30 }, (_, i) => ({ origin: `o${i % 3}`, pool: "eu", at: T0 + i, healthy: i % 2 === 0, status: 200, latencyMs: 12.5, error: null })),
    );
    expect(await count("health_events")).toBe(30);
    const down = await env.DB.prepare("SELECT count(*) AS n FROM health_events WHERE healthy = 0").first<{ n: number }>();
    expect(down?.n).toBe(15);
    await recordBreakerTransitions(env.DB, [
      { origin: "o1", pool: "eu", at: T0, fromState: "closed", toState: "open", reason: "failure_rate", generation: 1 },
    ]);
    expect(await count("breaker_events")).toBe(1);
  });
});
