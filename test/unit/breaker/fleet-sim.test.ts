import { describe, expect, it } from "vitest";
import { simulate, type SimParams } from "./fleet-sim";

const base: SimParams = {
  colos: 3,
  isolatesPerColo: 4,
  rpsPerIsolate: 20,
  origins: 4,
  rttMs: 30,
  deadAtMs: 5_000,
  recoverAtMs: 12_000,
  durationMs: 25_000,
  retries: 2,
  breaker: { open_ms: 3000, open_max_ms: 30_000 },
  mode: "shared",
  seed: 1,
};

describe("fleet simulation (virtual time, real client and object logic)", () => {
  it("isolates a dead origin fleet-wide with no client-visible errors, then probes and closes it", async () => {
    const r = await simulate(base);
    expect(r.clientErrors).toBe(0);
    expect(r.timeToGlobalOpenMs).not.toBeNull();
    expect(r.timeToGlobalOpenMs ?? Infinity).toBeLessThan(3000);
    expect(r.deadAttemptsPerIsolateMax).toBeLessThanOrEqual(8);
    expect(r.timeToCloseAfterRecoveryMs).not.toBeNull();
    expect(r.warmAwaited).toBe(0);
    expect(r.warmMaxCallsPerIsolateOriginInterval).toBeLessThanOrEqual(1);
  });

  it("shared state sends fewer requests to the dead origin than local-only breakers", async () => {
    const slow = { ...base, isolatesPerColo: 10, rpsPerIsolate: 4 };
    const shared = await simulate(slow);
    const local = await simulate({ ...slow, mode: "local" });
    expect(shared.deadAttemptsFleet).toBeLessThan(local.deadAttemptsFleet);
    expect(local.timeToGlobalOpenMs).toBeNull();
  });
});
