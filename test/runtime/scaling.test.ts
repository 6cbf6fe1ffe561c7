import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { EdgeConfigInput } from "../../src/config/schema";
import { guardedEnv } from "../../src/db/guard";
import { edgeRuntime } from "../../src/edge/runtime";
import { makeRuntime } from "../../src/edge/wiring";
import { settings } from "../../src/env";
import { LEASE_TTL_MS } from "../../src/scheduler/scaling/lease";
import { LEASE_NAME, runScheduler } from "../../src/scheduler/scaling/scheduler";
import { recordPool } from "../../src/scheduler/scaling/store";
import { fakeCloud } from "../support/fake-provider";
import { ADMIN, edge, putConfigOk } from "./edge";
import { MIN, seedRollups, scaledPool } from "./scaling-seed";

/**
 * The scaling run inside workerd with real D1 and the lease Durable Object, against an
 * in-memory provider (test/support/fake-provider.ts). Rising traffic is written straight
 * into rollup_minute; the run forecasts it and plans from the stored forecast.
 */

const rising = (now: number) => (t: number) => 600 + 60_000 * Math.max(0, 1 - (now - t) / (180 * MIN));
const lease = () => env.SCHEDULER_LEASE.get(env.SCHEDULER_LEASE.idFromName(LEASE_NAME));
// The runtime the worker's own requests use (the entry wraps env in the D1 guard), so a
// config PUT through the edge is the one this run sees.
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const rt = () => edgeRuntime(guardedEnv(env, { timeoutMs: settings(env).d1TimeoutMs, sleep }), makeRuntime);
const run = (providers: ReturnType<typeof fakeCloud>["registry"], now = Date.now()) =>
  runScheduler(rt(), { trigger: "api", now, runId: crypto.randomUUID(), providers });

interface Scaling {
  decisions: { run_id: string; pool: string; at: string; current: number | null; desired: number | null; reason: string; mode: string; applied: boolean }[];
  calls: { run_id: string; pool: string; provider: string; action: string; outcome: string; error_code: string | null; attempt: number }[];
}
const scaling = async (pool: string): Promise<Scaling> => (await (await edge(`/_edge/api/scaling?pool=${pool}`, { headers: ADMIN })).json()) as Scaling;

describe("the scaling run", () => {
  it("rising traffic: reads, then scales out; forecast_only records and calls nothing; a missing secret is that pool's record", async () => {
    const now = Date.now();
    await putConfigOk({
      steering: { policy: "failover" },
      pools: [
        scaledPool("rise", {}),
        scaledPool("watch", { mode: "forecast_only" }),
        scaledPool("k8s", { provider: "kubernetes", target: { api_server: "https://k8s.test", deployment: "web" } }),
        scaledPool("idle", { mode: "off" }),
      ],
    } as EdgeConfigInput);
    for (const p of ["rise", "watch", "k8s"]) await seedRollups(p, now, 180, rising(now));
    const cloud = fakeCloud({ rise: 2, watch: 2, k8s: 2 }, { kubernetes: "K8S_TOKEN" });
    const r = await run(cloud.registry, now);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const pools = Array.isArray(r.report.scaling) ? r.report.scaling : [];
    const rise = pools.find((p) => p.pool === "rise")!;
    // Tens of thousands of req/min ≈ 500+ rps × 1.2 / 50 ≥ 12 instances; from 2 the step limit allows 6 this run.
    expect(rise.plan.current).toBe(2);
    expect(rise.plan.desired).toBe(6);
    expect(rise.plan.reason).toBe("step_limit");
    expect(rise.applied).toBe(true);
    expect(cloud.log.filter((l) => l.pool === "rise").map((l) => l.action)).toEqual(["read", "write"]);
    expect(cloud.log.find((l) => l.action === "write")?.intent?.forecast?.peak).toBeGreaterThan(300);
    expect(cloud.capacity.get("rise")).toBe(6);

    const watch = pools.find((p) => p.pool === "watch")!;
    expect(watch.plan).toMatchObject({ current: 2, desired: 6 });
    expect(watch.applied).toBe(false);
    expect(cloud.log.filter((l) => l.pool === "watch").map((l) => l.action)).toEqual(["read"]);

    const k8s = pools.find((p) => p.pool === "k8s")!;
    expect(k8s.plan.reason).toBe("missing_secret");
    expect(k8s.error?.code).toBe("missing_secret");
    expect(cloud.log.some((l) => l.pool === "k8s")).toBe(false);
    expect(pools.find((p) => p.pool === "idle")?.plan.reason).toBe("mode_off");

    const seen = await scaling("rise");
    expect(seen.decisions[0]).toMatchObject({ run_id: r.report.run_id, pool: "rise", current: 2, desired: 6, reason: "step_limit", mode: "forecast_and_scale", applied: true });
    expect(seen.calls.map((c) => c.action).sort()).toEqual(["read", "write"]);
    expect((await scaling("watch")).decisions[0]).toMatchObject({ mode: "forecast_only", desired: 6, applied: false });
    expect((await scaling("k8s")).calls[0]).toMatchObject({ outcome: "missing_secret", error_code: "missing_secret" });
    const runRow = await env.DB.prepare("SELECT trigger, ended_at FROM scaling_runs WHERE run_id = ?").bind(r.report.run_id).first<{ trigger: string; ended_at: number | null }>();
    expect(runRow?.trigger).toBe("api");
    expect(runRow?.ended_at).not.toBeNull();

    // The next run, a minute later, goes on from 6 and never scales in.
    const r2 = await run(cloud.registry, now + MIN);
    expect(r2.ok).toBe(true);
    expect(cloud.capacity.get("rise")).toBeGreaterThanOrEqual(6);
  });

  it("two overlapping runs: one holds the lease, the other answers 409 run_in_progress", async () => {
    await putConfigOk({ steering: { policy: "failover" }, pools: [scaledPool("lap", {})] } as EdgeConfigInput);
    const cloud = fakeCloud({ lap: 3 });
    let open!: () => void;
    const held = new Promise<void>((r) => (open = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    cloud.gate = () => (entered(), held);
    const first = run(cloud.registry);
    await inside;
    const second = await run(cloud.registry);
    expect(second.ok).toBe(false);
    const res = await edge("/_edge/api/scheduler/run", { method: "POST", headers: ADMIN });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: "run_in_progress" });
    open();
    expect((await first).ok).toBe(true);
    // Released: the next one runs.
    cloud.gate = undefined;
    expect((await run(cloud.registry)).ok).toBe(true);
  });

  it("a run that crashed mid-pool: its lease expires, the next run proceeds, no cloud call or record is doubled", async () => {
    const now = Date.now();
    await putConfigOk({ steering: { policy: "failover" }, pools: [scaledPool("crash", {})] } as EdgeConfigInput);
    await seedRollups("crash", now, 180, rising(now));
    const cloud = fakeCloud({ crash: 4 });
    // A run took the lease a second ago and died without releasing it: the next is refused...
    expect((await lease().acquire("crashed-run", Date.now() - 1000, LEASE_TTL_MS)).ok).toBe(true);
    expect((await run(cloud.registry, now)).ok).toBe(false);
    // ...until its lease has expired (re-acquired as if taken LEASE_TTL_MS ago).
    expect((await lease().acquire("crashed-run", Date.now() - LEASE_TTL_MS - 1, LEASE_TTL_MS)).ok).toBe(true);
    // This run's write reaches the cloud, then the provider dies before answering.
    cloud.afterWrite = () => {
      throw new Error("isolate evicted");
    };
    const first = await runScheduler(rt(), { trigger: "cron", now, runId: "run-after-crash", providers: cloud.registry });
    expect(first.ok).toBe(true);
    expect(cloud.capacity.get("crash")).toBe(8);
    const seen = await scaling("crash");
    expect(seen.decisions[0]).toMatchObject({ run_id: "run-after-crash", reason: "provider_fault", applied: false });
    cloud.afterWrite = undefined;
    // The next run reads 8 before it writes: it plans from there and never repeats 4 → 8.
    expect((await run(cloud.registry, now + MIN)).ok).toBe(true);
    const writes = cloud.log.filter((l) => l.action === "write").map((l) => l.desired);
    expect(writes[0]).toBe(8);
    expect(writes.slice(1).every((d) => d !== undefined && d > 8)).toBe(true);
    // Recording the same run and pool again inserts nothing twice.
    const count = async (table: string) => (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE run_id = 'run-after-crash'`).first<{ n: number }>())?.n;
    const [d0, c0] = [await count("scaling_decisions"), await count("scaling_calls")];
    const row = { runId: "run-after-crash", pool: "crash", at: now, provider: "aws", mode: "forecast_and_scale", inputsFrom: null, inputsTo: null, forecastAt: null, forecastModel: null, forecastPeakRps: null, current: 4, recommendation: 8, desired: 8, reason: "scale_out", detail: "", applied: true };
    await recordPool(env.DB, row, [{ provider: "aws", action: "read", at: now, status: 200, outcome: "ok", errorCode: null, attempt: 1, latencyMs: 1 }]);
    expect([await count("scaling_decisions"), await count("scaling_calls")]).toEqual([d0, c0]);
    expect(d0).toBe(1);
  });
});
