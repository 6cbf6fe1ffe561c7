import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { breakerCommand, breakerStatus } from "../../src/breaker/admin";
import type { BreakerObject } from "../../src/breaker/breaker-object";
import { BreakerClient } from "../../src/breaker/client";
import type { ReportRequest } from "../../src/breaker/types";
import { edgeConfigSchema, type BreakerConfig } from "../../src/config/schema";

/** Real Durable Objects (SQLite storage, RPC, alarms) and real D1, inside workerd. */

const cfg: BreakerConfig = edgeConfigSchema.shape.breaker.parse({ consecutive_failures: 3, open_ms: 1000, half_open_calls: 2 });
const stubFor = (id: string) => env.BREAKER.get(env.BREAKER.idFromName(id));
const req = (origin: string, outcomes: string, over: Partial<ReportRequest> = {}): ReportRequest => ({
  origin,
  pool: "p",
  colo: "FRA",
  isolate: "i1",
  outcomes,
  probes: 0,
  wantLeases: 0,
  ...over,
});

async function events(origin: string): Promise<Array<{ from_state: string; to_state: string; generation: number; pool: string }>> {
  const r = await env.DB.prepare("SELECT from_state, to_state, generation, pool FROM breaker_events WHERE origin = ? ORDER BY generation").bind(origin).all<{
    from_state: string;
    to_state: string;
    generation: number;
    pool: string;
  }>();
  return r.results;
}

/** Moves the object's clock past its open time (a test seam; no sleeping). */
const skipAhead = (id: string, ms: number) =>
  runInDurableObject(stubFor(id), (o: BreakerObject) => {
    o.clockOffsetMs += ms;
  });

describe("BreakerObject", () => {
  it("persists the open state across eviction and logs the transition to D1", async () => {
    const id = "rt-persist";
    const r = await stubFor(id).report(req(id, "ccc"), cfg);
    expect(r.snapshot).toMatchObject({ state: "open", generation: 1 });
    await evictDurableObject(stubFor(id));
    const after = await stubFor(id).status(id);
    expect(after).toMatchObject({ state: "open", generation: 1, openUntil: r.snapshot.openUntil, origin: id, pool: "p" });
    expect(after.counts.connect).toBe(3);
    expect(await events(id)).toEqual([{ from_state: "closed", to_state: "open", generation: 1, pool: "p" }]);
  });

  it("moves open -> half_open on its alarm, only once the open time has passed", async () => {
    const id = "rt-alarm";
    await stubFor(id).report(req(id, "fff"), cfg);
    expect(await runDurableObjectAlarm(stubFor(id))).toBe(true); // fired early: stays open, re-arms
    expect((await stubFor(id).status(id)).state).toBe("open");
    await skipAhead(id, 60_000);
    expect(await runDurableObjectAlarm(stubFor(id))).toBe(true);
    expect((await stubFor(id).status(id)).state).toBe("half_open");
    expect((await events(id)).map((e) => e.to_state)).toEqual(["open", "half_open"]);
  });

  it("survives a restart while open and still reaches half-open from the persisted alarm", async () => {
    const id = "rt-restart-alarm";
    await stubFor(id).report(req(id, "ttt"), cfg);
    await evictDurableObject(stubFor(id));
    await skipAhead(id, 60_000);
    expect(await runDurableObjectAlarm(stubFor(id))).toBe(true);
    expect((await stubFor(id).status(id)).state).toBe("half_open");
  });

  it("leases exactly half_open_calls probes to concurrent isolates, then closes on their success", async () => {
    const id = "rt-lease";
    await stubFor(id).report(req(id, "ccc"), cfg);
    await skipAhead(id, 60_000);
    await runDurableObjectAlarm(stubFor(id));
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, i) => stubFor(id).report(req(id, "", { isolate: `iso-${i}`, wantLeases: 2 }), cfg)),
    );
    const granted = replies.map((r) => r.leases);
    expect(granted.reduce((a, b) => a + b, 0)).toBe(2);
    const holders = granted.flatMap((n, i) => Array.from({ length: n }, () => `iso-${i}`));
    for (const h of holders) await stubFor(id).report(req(id, "s", { isolate: h, probes: 1 }), cfg);
    const s = await stubFor(id).status(id);
    expect(s.state).toBe("closed");
    expect(s.counts.calls).toBe(0); // windows reset on close
  });

  it("leases probes to real BreakerClients sharing the namespace", async () => {
    const id = "rt-lease-client";
    const config = edgeConfigSchema.parse({
      steering: { policy: "failover" },
      pools: [{ id: "p", origins: [{ id, url: "https://a.example.com" }, { id: "rt-other", url: "https://b.example.com" }] }],
      breaker: { consecutive_failures: 3, open_ms: 1000, half_open_calls: 2, max_ejection_percent: 100 },
    });
    await stubFor(id).report(req(id, "ccc"), config.breaker);
    await skipAhead(id, 60_000);
    await runDurableObjectAlarm(stubFor(id));
    const clients = Array.from({ length: 5 }, (_, i) => {
      const c = new BreakerClient({ namespace: env.BREAKER, now: () => Date.now(), random: Math.random, colo: "FRA", isolateId: `c-${i}` });
      c.configure(config);
      c.admit("rt-other"); // serving the pool makes the isolate ask for leases
      return c;
    });
    await Promise.all(clients.map((c) => c.warmUp([id], 5_000)));
    await Promise.all(clients.map((c) => c.sync()));
    let admitted = 0;
    for (const c of clients) for (let k = 0; k < 3; k++) if (c.admit(id)) admitted += 1;
    expect(admitted).toBe(2);
  });

  it("honours forced states: open holds forced_open, close holds disabled, reset clears", async () => {
    const id = "rt-forced";
    expect(await breakerCommand(env.BREAKER, id, "open")).toMatchObject({ state: "forced_open", generation: 1 });
    await stubFor(id).report(req(id, "ssssss"), cfg);
    expect(await runDurableObjectAlarm(stubFor(id))).toBe(false); // no timer in forced_open
    expect((await breakerStatus(env.BREAKER, [id]))[id]?.state).toBe("forced_open");
    expect(await breakerCommand(env.BREAKER, id, "close")).toMatchObject({ state: "disabled" });
    await stubFor(id).report(req(id, "cccccccccc"), cfg);
    const disabled = (await breakerStatus(env.BREAKER, [id]))[id];
    expect(disabled).toMatchObject({ state: "disabled", counts: { connect: 10 } });
    const reset = await breakerCommand(env.BREAKER, id, "reset");
    expect(reset).toMatchObject({ state: "closed", counts: { calls: 0 }, generation: 3 });
    expect(reset.since).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await events(id)).map((e) => e.to_state)).toEqual(["forced_open", "disabled", "closed"]);
  });

  it("status applies the pool ejection cap: the later open shows closed, held by the cap", async () => {
    const config = edgeConfigSchema.parse({
      steering: { policy: "failover" },
      pools: [{ id: "cap", origins: [{ id: "rt-cap-a", url: "https://a.example.com" }, { id: "rt-cap-b", url: "https://b.example.com" }] }],
      breaker: { consecutive_failures: 3 },
    });
    await stubFor("rt-cap-a").report(req("rt-cap-a", "ccc"), config.breaker);
    await stubFor("rt-cap-b").report(req("rt-cap-b", "ccc"), config.breaker);
    const s = await breakerStatus(env.BREAKER, ["rt-cap-a", "rt-cap-b"], config);
    expect(s["rt-cap-a"]).toMatchObject({ state: "open", held_by_cap: false });
    expect(s["rt-cap-b"]).toMatchObject({ state: "closed", object_state: "open", would_open: true, held_by_cap: true });
    expect(s["rt-cap-b"]?.reason).toMatch(/max_ejection_percent 50/);
  });

  it("needs a second colo before a fleet-wide open while another colo sees the origin working", async () => {
    const id = "rt-colos";
    const rate = edgeConfigSchema.shape.breaker.parse({ consecutive_failures: 0, min_calls: 4, min_reporting_colos: 2 });
    await stubFor(id).report(req(id, "ss", { colo: "AMS", isolate: "ams-1" }), rate);
    const held = await stubFor(id).report(req(id, "ffff", { colo: "FRA" }), rate);
    expect(held.snapshot.state).toBe("closed");
    expect(held.snapshot.wouldOpen).toMatch(/1 colo\(s\) see failures, 1 see it working/);
    expect((await breakerStatus(env.BREAKER, [id]))[id]).toMatchObject({ state: "closed", would_open: true });
    const opened = await stubFor(id).report(req(id, "ffff", { colo: "AMS", isolate: "ams-1" }), rate);
    expect(opened.snapshot.state).toBe("open");
  });
});
