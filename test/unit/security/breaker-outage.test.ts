import { describe, expect, it } from "vitest";
import { BreakerClient } from "../../../src/breaker/client";
import { edgeConfigSchema } from "../../../src/config/schema";
import { MemoryBreakers } from "../breaker/memory-namespace";

/** Fault injection: the breaker's Durable Object unreachable (rejects) or hung (never answers). */
const config = edgeConfigSchema.parse({
  steering: { policy: "failover" },
  pools: [{ id: "p", origins: ["a", "b", "c"].map((id) => ({ id, url: `https://${id}.example.com` })) }],
  breaker: { consecutive_failures: 3, min_calls: 3, min_reporting_colos: 1, staleness_ms: 1000, open_ms: 600_000, open_max_ms: 600_000 },
});
const refused = { kind: "connect", latencyMs: 3 } as const;

function setup() {
  const clock = { t: 1_000_000 };
  const objects = new MemoryBreakers(() => clock.t);
  const c = new BreakerClient({ namespace: objects.namespace(), now: () => clock.t, random: () => 0.5, colo: "FRA", isolateId: "i", sleep: () => Promise.resolve() });
  c.configure(config);
  return { clock, objects, c };
}

async function openA(h: ReturnType<typeof setup>): Promise<void> {
  for (let i = 0; i < 5; i++) h.c.record("a", refused, "FRA", h.clock.t);
  await h.c.sync(h.clock.t);
  h.clock.t += 1000;
  await h.c.sync(h.clock.t);
  expect(h.c.view("a").state).toBe("open");
}

describe.each(["fail", "hang"] as const)("breaker object %s", (mode) => {
  it("keeps the object's last word within the staleness budget, then breaks locally; never blocks a pick", async () => {
    const h = setup();
    await openA(h);
    h.objects.mode = mode;
    for (let i = 0; i < 8; i++) {
      h.clock.t += 1000;
      void h.c.sync(h.clock.t);
      await Promise.resolve();
      expect(h.c.admit("a", h.clock.t), `interval ${i}`).toBe(false);
    }
    for (let i = 0; i < 10; i++) {
      h.clock.t += 1000;
      void h.c.sync(h.clock.t);
      await new Promise((r) => setImmediate(r));
    }
    // Local-only now: the stale "open" no longer holds the origin out ...
    expect(h.c.admit("a", h.clock.t)).toBe(true);
    expect(h.c.stats.localOnly).toBeGreaterThan(0);
    // ... and local consecutive-failure trips still protect it.
    for (let i = 0; i < 3; i++) h.c.record("a", refused, "FRA", h.clock.t);
    expect(h.c.admit("a", h.clock.t)).toBe(false);
  });
});

import { Deadlines } from "../../../src/routing/deadlines";

describe("per-try deadlines after the watchdog's request has answered", () => {
  it("a new request's deadline starts its own watchdog instead of trusting the ended one", () => {
    const d = new Deadlines({ now: () => 0, sleep: () => new Promise(() => undefined) });
    const first = {};
    expect(d.add({ at: 100, expire: () => undefined }, 0, first)).toBeInstanceOf(Promise);
    // Same request, still in flight: shares the watchdog.
    expect(d.add({ at: 200, expire: () => undefined }, 0, first)).toBeUndefined();
    d.release(first);
    expect(d.add({ at: 300, expire: () => undefined }, 0, {})).toBeInstanceOf(Promise);
  });
});
