import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { bucketOf } from "../../src/telemetry/histogram";
import { queryMinuteRollups, queryRollupSummary, Telemetry, type RequestSample } from "../../src/telemetry";
import type { FlushDb } from "../../src/telemetry/telemetry";

// Several Telemetry instances stand for several isolates flushing into the same real D1.
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const POOLS = ["eu", "us"];
const ORIGINS: Record<string, string[]> = { eu: ["eu-1", "eu-2"], us: ["us-1"] };
const COUNTRIES = ["DE", "FR", "US", "JP", "BR"];
const OUTCOMES: RequestSample["outcome"][] = ["ok", "ok", "ok", "ok", "5xx", "4xx", "timeout", "connect"];

async function clear(): Promise<void> {
  await env.DB.batch(["rollup_minute", "rollup_hour", "telemetry_flush"].map((t) => env.DB.prepare(`DELETE FROM ${t}`)));
}

async function totals(): Promise<{ requests: number; dropped: number; retries: number; e5: number; h: number }> {
  const hist = Array.from({ length: 34 }, (_, k) => `h${String(k).padStart(2, "0")}`).join(" + ");
  const r = await env.DB.prepare(
    `SELECT coalesce(sum(requests),0) AS requests, coalesce(sum(dropped),0) AS dropped, coalesce(sum(retries),0) AS retries, coalesce(sum(err_5xx),0) AS e5, coalesce(sum(${hist}),0) AS h FROM rollup_minute`,
  ).first<{ requests: number; dropped: number; retries: number; e5: number; h: number }>();
  return r ?? { requests: 0, dropped: 0, retries: 0, e5: 0, h: 0 };
}

function sampleFor(i: number, clock: number): RequestSample {
  const pool = POOLS[i % 2] as string;
  const origins = ORIGINS[pool] as string[];
  return {
    at: clock, pool, origin: origins[i % origins.length] as string, country: COUNTRIES[i % COUNTRIES.length] as string,
    colo: i % 3 === 0 ? "FRA" : "AMS", outcome: OUTCOMES[i % OUTCOMES.length] as RequestSample["outcome"],
    latencyMs: 5 + (i % 97) * 3, bytes: 1000, retry: i % 10 === 0,
  };
}

beforeEach(clear);

describe("telemetry flush into real D1", () => {
  it("N concurrent requests over several isolates give exactly N requests in D1", async () => {
    const N = 3000;
    const clock = { t: T0 };
    const isolates = Array.from({ length: 4 }, () => new Telemetry({ now: () => clock.t, flushIntervalMs: 5_000, maxKeys: 15 }));
    const waitUntil: Promise<unknown>[] = [];
    // Requests arrive in 30 waves of 100 concurrent ones; a wave yields to the event loop
    // before the next, so records land while other isolates' flushes are in flight.
    for (let wave = 0; wave < 30; wave++) {
      await Promise.all(
        Array.from({ length: N / 30 }, async (_, j) => {
          const i = wave * (N / 30) + j;
          clock.t = T0 + Math.floor((i * 180_000) / N); // three minutes of traffic
          const tel = isolates[i % isolates.length] as Telemetry;
          tel.record(sampleFor(i, clock.t));
          const p = tel.maybeFlush(env.DB);
          if (p) waitUntil.push(p);
        }),
      );
      await new Promise((r) => setTimeout(r, 0));
    }
    await Promise.all(waitUntil);
    await Promise.all(isolates.map((t) => t.flushNow(env.DB)));
    const sum = await totals();
    expect(sum.requests).toBe(N);
    expect(sum.h).toBe(N);
    expect(sum.retries).toBe(N / 10);
    expect(sum.e5).toBe(N / 8);
    expect(sum.dropped).toBe(0);
    const flushes = isolates.reduce((n, t) => n + t.stats.flushes, 0);
    expect(flushes).toBeGreaterThan(8); // flushes really raced on the same keys
    expect(isolates.every((t) => t.stats.failedFlushes === 0)).toBe(true);
    // The control API's rows add up too, per pool.
    const rows = await queryMinuteRollups(env.DB, { from: T0, to: T0 + 180_000, pool: "eu" });
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(N / 2);
    expect(rows[0]?.minute).toBe(new Date(T0).toISOString());
    expect(rows.every((r) => r.errors === r.errors_connect + r.errors_timeout + r.errors_5xx)).toBe(true);
  });

  it("reads percentiles from merged histograms within one bucket of the true percentile", async () => {
    const clock = { t: T0 };
    const isolates = [0, 1, 2].map(() => new Telemetry({ now: () => clock.t }));
    const latencies: number[] = [];
    for (let i = 0; i < 3000; i++) {
      // A known skewed sample: mostly 20–80 ms with a tail to ~2 s.
      const ms = i % 50 === 0 ? 500 + (i % 1500) : 20 + ((i * 37) % 61);
      latencies.push(ms);
      (isolates[i % 3] as Telemetry).record({ ...sampleFor(0, T0 + (i % 2) * 60_000), country: "DE", colo: "FRA", latencyMs: ms });
    }
    await Promise.all(isolates.map((t) => t.flushNow(env.DB)));
    const sorted = [...latencies].sort((a, b) => a - b);
    const truth = (q: number) => sorted[Math.ceil(q * sorted.length) - 1] as number;
    const [row] = await queryRollupSummary(env.DB, { from: T0, to: T0 + 120_000, stepMs: 120_000, by: "pool" });
    expect(row?.requests).toBe(3000);
    for (const [q, est] of [[0.5, row?.p50_ms], [0.95, row?.p95_ms], [0.99, row?.p99_ms]] as const) {
      expect(Math.abs(bucketOf(est ?? -1) - bucketOf(truth(q)))).toBeLessThanOrEqual(1);
    }
  });

  it("real D1 accepts the largest statements the chunker builds (720 keys in a flush)", async () => {
    const tel = new Telemetry({ now: () => T0, maxKeys: 5000 });
    const codes = Array.from({ length: 60 }, (_, i) => String.fromCharCode(65 + Math.floor(i / 26), 65 + (i % 26)));
    let n = 0;
    for (const pool of ["a", "b", "c"]) {
      for (const origin of [`${pool}1`, `${pool}2`]) {
        for (const country of codes) {
          for (const minute of [0, 1]) {
            tel.record({ ...sampleFor(n, T0 + minute * 60_000), pool, origin, country, colo: "FRA", latencyMs: 1 + (n % 70000) });
            n += 1;
          }
        }
      }
    }
    const r = await tel.flushNow(env.DB);
    expect(r.reason).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.rows).toBe(720);
    expect(r.statements).toBeLessThanOrEqual(3);
    expect((await totals()).requests).toBe(720);
  });

  function flaky(plan: ("fail" | "commit-then-fail")[]): FlushDb {
    return {
      prepare: (sql: string) => env.DB.prepare(sql),
      batch: async (stmts: D1PreparedStatement[]) => {
        const mode = plan.shift();
        if (mode === "fail") throw new Error("D1_ERROR: injected failure");
        const out = await env.DB.batch(stmts);
        if (mode === "commit-then-fail") throw new Error("D1_ERROR: injected lost answer");
        return out;
      },
    } as FlushDb;
  }

  it("a failed flush is retried once, then counted as dropped in the rollups", async () => {
    const clock = { t: T0 };
    const tel = new Telemetry({ now: () => clock.t });
    const db = flaky(["fail", "fail", "fail"]);
    for (let i = 0; i < 100; i++) tel.record(sampleFor(i, T0));
    await tel.flushNow(db); // fails, kept
    for (let i = 0; i < 20; i++) tel.record(sampleFor(i, T0 + 60_000));
    await tel.flushNow(db); // retry fails: 100 dropped; the 20 fail once, kept
    await tel.flushNow(db); // the 20 (carrying the dropped record) succeed
    const sum = await totals();
    expect(sum.requests).toBe(20);
    expect(sum.dropped).toBe(100);
    expect(tel.stats.droppedRequests).toBe(100);
    // Dropped counts sit on the keys they were lost from (minute T0, not the later minute).
    const rows = await queryMinuteRollups(env.DB, { from: T0, to: T0 + 60_000 });
    expect(rows.reduce((n, r) => n + r.dropped, 0)).toBe(100);
    expect(rows.reduce((n, r) => n + r.requests, 0)).toBe(0);
  });

  it("a retry of a flush that committed but lost its answer does not double count", async () => {
    const tel = new Telemetry({ now: () => T0 });
    const db = flaky(["commit-then-fail"]);
    for (let i = 0; i < 64; i++) tel.record(sampleFor(i, T0));
    expect((await tel.flushNow(db)).ok).toBe(false);
    expect((await tel.flushNow(db)).ok).toBe(true);
    expect((await totals()).requests).toBe(64);
  });
});
