import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { EdgeConfigInput } from "../../src/config/schema";
import { LEASE_TTL_MS } from "../../src/scheduler/scaling/lease";
import { LEASE_NAME } from "../../src/scheduler/scaling/scheduler";
import { ADMIN, edge, putConfigOk, runScheduled } from "./edge";
import { scaledPool } from "./scaling-seed";

/** The routes and the cron around the scaling run, through the worker's real entry. */

const lease = () => env.SCHEDULER_LEASE.get(env.SCHEDULER_LEASE.idFromName(LEASE_NAME));
const runs = async (trigger: string) => (await env.DB.prepare("SELECT count(*) AS n FROM scaling_runs WHERE trigger = ?").bind(trigger).first<{ n: number }>())?.n ?? 0;

describe("scaling routes and cron", () => {
  it("GET /api/scaling needs the admin token and validates its query", async () => {
    expect((await edge("/_edge/api/scaling")).status).toBe(401);
    const bad = await edge("/_edge/api/scaling?limit=0", { headers: ADMIN });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_query" });
    const ok = await edge("/_edge/api/scaling?pool=nobody", { headers: ADMIN });
    expect(await ok.json()).toEqual({ decisions: [], calls: [] });
    expect((await edge("/_edge/api/scheduler/run", { method: "POST" })).status).toBe(401);
  });

  it("POST /api/scheduler/run answers the run's report; the cron runs the same code and records it", async () => {
    await putConfigOk({ steering: { policy: "failover" }, pools: [scaledPool("api", { mode: "forecast_only", provider: "kubernetes", target: { api_server: "https://k8s.test", deployment: "web" } }), { id: "plain", origins: [{ id: "plain-1", url: "http://127.0.0.1:9" }] }] } as EdgeConfigInput);
    const res = await edge("/_edge/api/scheduler/run", { method: "POST", headers: ADMIN });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { run_id: string; started_at: string; pools: { pool: string; forecast: unknown; plan: { current: unknown; desired: unknown; reason: string }; calls: unknown[] }[] };
    expect(body.run_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(body.started_at))).toBe(false);
    // Only pools with a scaling block are planned; without K8S_TOKEN the read cannot happen, and that is said.
    expect(body.pools.map((p) => p.pool)).toEqual(["api"]);
    expect(body.pools[0]!.plan.reason).toBe("missing_secret");
    expect(Array.isArray(body.pools[0]!.calls)).toBe(true);
    const seen = (await (await edge("/_edge/api/scaling?pool=api", { headers: ADMIN })).json()) as { decisions: { run_id: string; reason: string; mode: string }[] };
    expect(seen.decisions[0]).toMatchObject({ run_id: body.run_id, mode: "forecast_only", reason: body.pools[0]!.plan.reason });
    expect(JSON.stringify(seen)).not.toMatch(/AWS4-HMAC|Signature=|Bearer /);

    const before = await runs("cron");
    await runScheduled(Date.now());
    expect(await runs("cron")).toBe(before + 1);
  });

  it("the cron logs and skips while another run holds the lease", async () => {
    const before = await runs("cron");
    expect((await lease().acquire("someone-else", Date.now(), LEASE_TTL_MS)).ok).toBe(true);
    await runScheduled(Date.now());
    expect(await runs("cron")).toBe(before);
    expect(await lease().release("someone-else")).toBe(true);
    await runScheduled(Date.now());
    expect(await runs("cron")).toBe(before + 1);
  });
});
