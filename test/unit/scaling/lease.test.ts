import { describe, expect, it } from "vitest";
import { decideAcquire, decideRelease, LEASE_TTL_MS, RUN_BUDGET_MS } from "../../../src/scheduler/scaling/lease";

describe("scheduler lease", () => {
  it("one holder at a time until it expires; the holder may extend; only the holder releases", () => {
    const a = decideAcquire(null, "a", 1000, 50);
    expect(a.result).toEqual({ ok: true, expiresAt: 1050 });
    const b = decideAcquire(a.store, "b", 1049, 50);
    expect(b).toEqual({ store: null, result: { ok: false, holder: "a", expiresAt: 1050 } });
    expect(decideAcquire(a.store, "b", 1050, 50).result).toEqual({ ok: true, expiresAt: 1100 });
    expect(decideAcquire(a.store, "a", 1040, 50).result).toEqual({ ok: true, expiresAt: 1090 });
    expect(decideRelease(a.store, "b")).toBe(false);
    expect(decideRelease(a.store, "a")).toBe(true);
    expect(decideRelease(null, "a")).toBe(false);
  });

  it("outlives the run's budget and not the cron's period", () => {
    expect(LEASE_TTL_MS).toBeGreaterThan(RUN_BUDGET_MS);
    expect(LEASE_TTL_MS).toBeLessThan(60_000);
  });
});
