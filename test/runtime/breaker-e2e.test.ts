import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { breakerStatus } from "../../src/breaker/admin";
import type { BreakerObject } from "../../src/breaker/breaker-object";
import { BreakerClient } from "../../src/breaker/client";
import type { EdgeConfigInput } from "../../src/config/schema";
import { handleEdgeRequest } from "../../src/edge/handler";
import { EdgeRuntime, type TelemetryPort } from "../../src/edge/runtime";
import { breakerPort } from "../../src/edge/wiring";
import { settings } from "../../src/env";
import { ADMIN, edge, putConfigOk } from "./edge";
import { origin, originDown, originHits, originUp } from "./origins";

/**
 * End to end through the data plane (handleEdgeRequest: steering, proxy, retries) with the
 * real BreakerClient, real BreakerObjects and real HTTP origins on localhost. The runtime is
 * built here (not via the worker's default export) so the test owns the clock it advances.
 */

const clock = {
  offset: 0,
  now: () => Date.now() + clock.offset,
  random: () => Math.random(),
  sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
};
const client = new BreakerClient({ namespace: env.BREAKER, now: clock.now, random: clock.random, colo: "", isolateId: "e2e-isolate" });
// The worker's own adapter, around a client on the test's clock.
const port = breakerPort(client);
const noTelemetry: TelemetryPort = { record: () => undefined, maybeFlush: () => undefined, flushNow: async () => undefined, stats: () => ({}) };
const rt = new EdgeRuntime(env, settings(env), clock, port, noTelemetry);
const stubFor = (id: string) => env.BREAKER.get(env.BREAKER.idFromName(id));

async function get(path = "/item"): Promise<{ status: number; attempts: number; origin: string | null }> {
  const request = new Request(`http://edge.test${path}`, { headers: { "x-edge-geo": "country=DE; continent=EU; lat=50.11; lon=8.68; colo=FRA" } });
  const ctx = createExecutionContext();
  const res = await handleEdgeRequest(request, request.url, new URL(request.url), rt, ctx);
  await res.arrayBuffer();
  await waitOnExecutionContext(ctx); // the breaker's background sync (ctx.waitUntil) completes here
  return { status: res.status, attempts: Number(res.headers.get("x-edge-attempts") ?? "0"), origin: res.headers.get("x-edge-origin") };
}

beforeAll(async () => {
  const a = await origin("bk-a");
  const b = await origin("bk-b");
  const config: EdgeConfigInput = {
    debug_headers: true,
    steering: { policy: "failover" },
    pools: [{ id: "bk", selection: "round_robin", origins: [{ id: "bk-a", url: a }, { id: "bk-b", url: b }] }],
    retries: { attempts: 2, per_try_timeout_ms: 2000, budget_percent: 100 },
    breaker: { consecutive_failures: 3, open_ms: 1000, open_max_ms: 5000, half_open_calls: 2, staleness_ms: 100 },
  };
  await putConfigOk(config);
});

describe("breaker end to end", () => {
  it("isolates a failing origin with no client-visible error, then probes and closes it on recovery", async () => {
    for (let i = 0; i < 6; i++) expect((await get()).status).toBe(200);
    expect(client.available("bk-a")).toBe(true);

    await originDown("bk-a");
    let deadAttempts = 0;
    for (let i = 0; i < 20; i++) {
      const r = await get();
      expect(r.status).toBe(200); // retried on bk-b
      expect(r.origin).toBe("bk-b");
      deadAttempts += r.attempts - 1;
    }
    expect(deadAttempts).toBeGreaterThanOrEqual(3);
    expect(deadAttempts).toBeLessThanOrEqual(4); // consecutive_failures, then isolated
    expect(client.available("bk-a")).toBe(false);
    const open = (await breakerStatus(env.BREAKER, ["bk-a"]))["bk-a"];
    expect(open).toMatchObject({ state: "open", object_state: "open" });
    expect(open?.counts.connect).toBeGreaterThanOrEqual(3);
    const ev = await env.DB.prepare("SELECT from_state, to_state, pool FROM breaker_events WHERE origin = 'bk-a' ORDER BY id").all();
    expect(ev.results[0]).toEqual({ from_state: "closed", to_state: "open", pool: "bk" });

    await originUp("bk-a");
    const hitsBefore = await originHits("bk-a");
    clock.offset += 10_000; // past the open time, for this isolate and for the object
    await runInDurableObject(stubFor("bk-a"), (o: BreakerObject) => {
      o.clockOffsetMs += 10_000;
    });
    expect(await runDurableObjectAlarm(stubFor("bk-a"))).toBe(true);
    expect((await breakerStatus(env.BREAKER, ["bk-a"]))["bk-a"]?.state).toBe("half_open");

    let state = "half_open";
    for (let i = 0; i < 20 && state !== "closed"; i++) {
      expect((await get()).status).toBe(200);
      clock.offset += 150; // let the isolate's 100 ms staleness lapse between requests
      state = (await breakerStatus(env.BREAKER, ["bk-a"]))["bk-a"]?.state ?? "";
    }
    expect(state).toBe("closed");
    expect((await originHits("bk-a")) - hitsBefore).toBe(2); // exactly half_open_calls probes
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await get()).origin ?? "");
    expect([...seen].sort()).toEqual(["bk-a", "bk-b"]); // back in rotation
    const toStates = (await env.DB.prepare("SELECT to_state FROM breaker_events WHERE origin = 'bk-a' ORDER BY id").all<{ to_state: string }>()).results.map((r) => r.to_state);
    expect(toStates).toEqual(["open", "half_open", "closed"]);
  });

  it("through the worker's own entry: a dead origin is isolated, status shows it, and the control API resets it", async () => {
    await originDown("bk-a");
    try {
      for (let i = 0; i < 12; i++) {
        const res = await edge("/item", { geo: "country=DE; continent=EU; lat=50.11; lon=8.68; colo=FRA" });
        expect(res.status).toBe(200);
        expect(res.headers.get("x-edge-origin")).toBe("bk-b");
        await res.arrayBuffer();
      }
      const status = (await (await edge("/_edge/api/status", { headers: ADMIN })).json()) as {
        pools: Array<{ id: string; origins: Array<{ id: string; breaker: { state: string; since: string; reason: string; generation: number } }> }>;
      };
      const a = status.pools.find((p) => p.id === "bk")?.origins.find((o) => o.id === "bk-a");
      expect(a?.breaker.state).toBe("open");
      expect(a?.breaker.reason).toMatch(/consecutive failures/);
      expect(Date.parse(a?.breaker.since ?? "")).toBeGreaterThan(0);
      const reset = await edge("/_edge/api/breakers/bk-a/reset", { method: "POST", headers: ADMIN });
      expect(reset.status).toBe(200);
      expect(((await reset.json()) as { breaker: { state: string } }).breaker.state).toBe("closed");
    } finally {
      await originUp("bk-a");
    }
  });
});
