import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, edge, putConfigOk, runScheduled } from "./edge";

/**
 * The cron forecasts every pool from its rollups and stores forecasts and anomaly flags in
 * D1; /forecasts serves them. The traffic here is written straight into rollup_minute: a
 * daily cycle for two days, then a jump to four times the level for the last 40 minutes.
 */

const MIN = 60_000;
const DAY = 1440 * MIN;

/**
 * The run's clock: the latest instant before the real time that lies `intoStep` ms past a
 * 5-minute boundary. It follows the real clock because /forecasts shows the flags of the
 * last day by the worker's own clock: a fixed date here went stale a day after it was
 * written, and then the flag assertions read an empty list.
 */
function recentNow(intoStep: number): number {
  const step = 5 * MIN;
  return Math.floor((Date.now() - intoStep) / step) * step + intoStep;
}

async function seed(pool: string, now: number, minutes: number, value: (t: number) => number): Promise<void> {
  const start = now - minutes * MIN - (now % MIN);
  const stmts: D1PreparedStatement[] = [];
  for (let i = 0; i < minutes; i += 16) {
    const rows = Array.from({ length: Math.min(16, minutes - i) }, (_, k) => start + (i + k) * MIN);
    stmts.push(
      env.DB.prepare(`INSERT INTO rollup_minute (minute, pool, origin, country, colo, requests) VALUES ${rows.map(() => "(?, ?, 'o', 'US', 'EWR', ?)").join(", ")}`).bind(
        ...rows.flatMap((t) => [t, pool, Math.round(value(t))]),
      ),
    );
  }
  await env.DB.batch(stmts);
}

describe("forecasts from the cron", () => {
  it("stores a forecast per pool with its model and backtest error, and flags a level shift", async () => {
    await putConfigOk({
      steering: { policy: "failover" },
      pools: [
        { id: "fc", origins: [{ id: "fc-1", url: "http://127.0.0.1:9" }] },
        { id: "empty", origins: [{ id: "fc-2", url: "http://127.0.0.1:9" }] },
      ],
    });
    // The daily cycle peaks 15 minutes before the run, so the jump comes near the peak, where
    // 4× the level lies beyond anything the past two days held (a jump inside the daily range
    // is not this test's case).
    const now = recentNow(3820);
    const shiftAt = now - 40 * MIN;
    await seed("fc", now, 2 * 1440, (t) => {
      const base = 100 + 60 * Math.sin(2 * Math.PI * ((t - now) / DAY + 0.25 + 15 / 1440));
      return t >= shiftAt ? 4 * base : base;
    });
    await runScheduled(now);
    const res = await edge("/_edge/api/forecasts?pool=fc", { headers: ADMIN });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      forecasts: { pool: string; model: string; backtest_wape: number | null; points: { t: string; mean: number; lo90: number; hi90: number | null }[] }[];
      anomalies: { pool: string; kind: string; direction: string; score: number; reason: string }[];
    };
    expect(body.forecasts).toHaveLength(1);
    const f = body.forecasts[0]!;
    expect(f.pool).toBe("fc");
    expect(f.model.length).toBeGreaterThan(0);
    expect(f.points.length).toBe(12);
    expect(f.points.every((p) => p.lo90 <= p.mean)).toBe(true);
    // The flagged jump is upward and recent; its score is a 0..1 figure with a reason.
    const up = body.anomalies.filter((a) => a.direction === "up");
    expect(up.length).toBeGreaterThan(0);
    expect(up.every((a) => a.score > 0 && a.score <= 1 && a.reason.length > 0)).toBe(true);
    // A pool with no traffic falls back to a baseline that forecasts zero, and says why.
    const empty = (await (await edge("/_edge/api/forecasts?pool=empty", { headers: ADMIN })).json()) as typeof body;
    expect(empty.forecasts).toHaveLength(1);
    expect(["last_value", "seasonal_naive_day"]).toContain(empty.forecasts[0]!.model);
    expect(empty.forecasts[0]!.points.every((p) => p.mean === 0)).toBe(true);
    // A second run stores a second forecast and does not duplicate flags.
    const flagsBefore = await env.DB.prepare("SELECT count(*) AS n FROM anomaly_flags").first<{ n: number }>();
    await runScheduled(now + 1000);
    const flagsAfter = await env.DB.prepare("SELECT count(*) AS n FROM anomaly_flags").first<{ n: number }>();
    expect(flagsAfter?.n).toBe(flagsBefore?.n);
    const again = (await (await edge("/_edge/api/forecasts?pool=fc", { headers: ADMIN })).json()) as { forecasts: unknown[] };
    expect(again.forecasts).toHaveLength(2);
  });
});

describe("the cron's read of the current minute", () => {
  it("leaves out the minute the edges are still flushing, so :00 does not read as a collapse", async () => {
    await putConfigOk({ steering: { policy: "failover" }, pools: [{ id: "steady", origins: [{ id: "st-1", url: "http://127.0.0.1:9" }] }] });
    // 100 requests in every whole minute up to the run; the run's own minute has none yet.
    const now = recentNow(2000);
    await seed("steady", now, 2 * 1440, () => 100);
    await runScheduled(now);
    const body = (await (await edge("/_edge/api/forecasts?pool=steady", { headers: ADMIN })).json()) as {
      forecasts: { model: string; points: { mean: number }[] }[];
      anomalies: unknown[];
    };
    expect(body.forecasts[0]?.model).toBe("last_value");
    expect(body.forecasts[0]?.points.every((p) => p.mean === 100)).toBe(true);
    expect(body.anomalies).toEqual([]);
  });
});
