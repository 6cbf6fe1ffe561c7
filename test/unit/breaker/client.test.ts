import { describe, expect, it } from "vitest";
import { BreakerClient } from "../../../src/breaker/client";
import { edgeConfigSchema, type EdgeConfig } from "../../../src/config/schema";
import { MemoryBreakers } from "./memory-namespace";

function edgeConfig(breaker: Record<string, unknown> = {}, origins = ["a", "b", "c", "d"]): EdgeConfig {
  return edgeConfigSchema.parse({
    steering: { policy: "failover" },
    pools: [{ id: "p", origins: origins.map((id) => ({ id, url: `https://${id}.example.com` })) }],
    breaker,
  });
}

function fleet(config: EdgeConfig) {
  const clock = { t: 1_000_000 };
  const objects = new MemoryBreakers(() => clock.t);
  const make = (isolateId: string, colo = "FRA") => {
    const c = new BreakerClient({ namespace: objects.namespace(), now: () => clock.t, random: () => 0.5, colo, isolateId, sleep: () => Promise.resolve() });
    c.configure(config);
    return c;
  };
  return { clock, objects, make, advance: (ms: number) => (clock.t += ms) };
}

const ok = { kind: "response", status: 200, latencyMs: 20 } as const;
const refused = { kind: "connect", latencyMs: 3 } as const;

describe("BreakerClient warm path", () => {
  it("awaits nothing and sends at most one report per origin per staleness interval", async () => {
    const f = fleet(edgeConfig());
    const c = f.make("i1");
    await c.warmUp(["a"], 50);
    const afterWarm = f.objects.calls;
    let scheduled = 0;
    for (let i = 0; i < 10_000; i++) {
      f.advance(1); // 1,000 req/s for 10 s
      expect(c.admit("a")).toBe(true);
      c.record("a", ok);
      const p = c.sync();
      if (p) (scheduled += 1), await p;
    }
    expect(c.stats.awaited).toBe(1); // the cold warm-up only
    expect(f.objects.calls - afterWarm).toBeLessThanOrEqual(10);
    expect(scheduled).toBe(f.objects.calls - afterWarm);
    expect(f.objects.records.get("a")?.window.totals.calls).toBeGreaterThan(9_000);
  });

  it("returns undefined from sync when nothing is due", () => {
    const f = fleet(edgeConfig());
    const c = f.make("i1");
    expect(c.sync()).toBeUndefined();
  });
});

describe("BreakerClient local fast trip and fleet open", () => {
  it("trips locally on consecutive failures before the object confirms, then follows the object", async () => {
    const f = fleet(edgeConfig({ consecutive_failures: 3 }));
    const c = f.make("i1");
    const v0 = c.version;
    for (let i = 0; i < 3; i++) c.record("a", refused);
    expect(c.admit("a")).toBe(false);
    expect(c.available("a")).toBe(false);
    expect(c.version).toBeGreaterThan(v0);
    expect(c.view("a")).toMatchObject({ state: "open", locallyTripped: true, known: false });
    expect(f.objects.calls).toBe(0); // nothing awaited or sent on the request path
    const p = c.sync(); // urgent: reported at once, not after the interval
    expect(p).toBeDefined();
    await p;
    expect(f.objects.records.get("a")?.state).toBe("open");
    expect(c.view("a")).toMatchObject({ state: "open", locallyTripped: false, known: true, generation: 1 });
  });

  it("classifies statuses by failure_statuses: 404 is a success, 429 and 503 fail", () => {
    const f = fleet(edgeConfig({ consecutive_failures: 2, failure_statuses: ["5xx", "429"] }));
    const c = f.make("i1");
    c.record("a", { kind: "response", status: 404, latencyMs: 5 });
    c.record("a", { kind: "status", status: 429, latencyMs: 5 });
    expect(c.admit("a")).toBe(true);
    c.record("a", { kind: "success", status: 503, latencyMs: 5 });
    expect(c.admit("a")).toBe(false);
  });
});

describe("BreakerClient half-open probe leases", () => {
  it("leases half_open_calls probes across concurrent isolates, not one per isolate", async () => {
    const cfg = edgeConfig({ consecutive_failures: 3, half_open_calls: 3, open_ms: 1000 });
    const f = fleet(cfg);
    const isolates = Array.from({ length: 8 }, (_, i) => f.make(`i${i}`));
    for (const c of isolates) c.admit("a"); // every isolate serves pool p
    for (let i = 0; i < 3; i++) isolates[0]?.record("a", refused);
    await isolates[0]?.sync();
    await Promise.all(isolates.map((c) => c.warmUp(["a"], 50)));
    f.advance(1000);
    await Promise.all(isolates.map((c) => c.sync())); // all ask at once
    const admitted = isolates.map((c) => [0, 1, 2, 3].filter(() => c.admit("a")).length);
    expect(admitted.reduce((x, y) => x + y, 0)).toBe(3);
    for (let k = 0; k < 3; k++) {
      const holder = isolates[admitted.findIndex((n) => n > 0)];
      holder?.record("a", ok);
    }
    f.advance(1000);
    await Promise.all(isolates.map((c) => c.sync()));
    expect(f.objects.records.get("a")?.state).toBe("closed");
    f.advance(1000);
    await Promise.all(isolates.map((c) => c.sync()));
    expect(isolates.every((c) => c.admit("a"))).toBe(true);
  });
});

describe("BreakerClient ejection cap and colo quorum", () => {
  it("never ejects past max_ejection_percent and says the cap held it", async () => {
    const f = fleet(edgeConfig({ consecutive_failures: 2, max_ejection_percent: 50 }));
    const c = f.make("i1");
    for (const id of ["a", "b", "c"]) {
      f.advance(10);
      c.record(id, refused);
      c.record(id, refused);
    }
    expect(["a", "b", "c", "d"].map((id) => c.available(id))).toEqual([false, false, true, true]);
    expect(c.view("c")).toMatchObject({ heldByCap: true, locallyTripped: true });
    expect(c.admit("c")).toBe(true);
  });

  it("one colo's failures do not open the origin while another colo sees it working", async () => {
    const f = fleet(edgeConfig({ consecutive_failures: 3, min_reporting_colos: 2 }));
    const fra = f.make("i1", "FRA");
    const ams = f.make("i2", "AMS");
    ams.record("a", ok);
    await ams.sync();
    for (let i = 0; i < 3; i++) fra.record("a", refused);
    await fra.sync();
    expect(f.objects.records.get("a")?.state).toBe("closed");
    expect(fra.view("a")).toMatchObject({ locallyTripped: true });
    expect(fra.view("a").wouldOpen).toMatch(/held closed/);
    expect(ams.admit("a")).toBe(true);
  });
});

describe("BreakerClient fail-open", () => {
  it("never rejects, keeps the last state and re-sends outcomes when the object fails", async () => {
    const f = fleet(edgeConfig());
    const c = f.make("i1");
    f.objects.mode = "fail";
    c.record("a", ok);
    await expect(c.sync()).resolves.toBeUndefined();
    expect(c.stats.failures).toBe(1);
    expect(c.admit("a")).toBe(true);
    f.objects.mode = "ok";
    f.advance(1000);
    await c.sync();
    expect(f.objects.records.get("a")?.window.totals.calls).toBe(1);
  });

  it("a cold warmUp gives up after its budget when the object hangs", async () => {
    const f = fleet(edgeConfig());
    const c = f.make("i1");
    f.objects.mode = "hang";
    await c.warmUp(["a", "b"], 30);
    expect(c.admit("a")).toBe(true);
    expect(c.view("a").known).toBe(false);
  });
});
