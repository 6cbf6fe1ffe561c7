import { describe, expect, it } from "vitest";
import {
  applyCommand,
  applyOutcomes,
  grantLeases,
  newRecord,
  onTimer,
  snapshotOf,
  type BreakerRecord,
  type MachineCtx,
} from "../../../src/breaker/state-machine";
import { breakerConfig, machine } from "./helpers";

const ONE = { colo: "FRA", holder: "iso-1", probes: 0 };
const feed = (rec: BreakerRecord, codes: string, ctx: MachineCtx, who = ONE) => applyOutcomes(rec, codes, who, ctx);

/** Opens a breaker with consecutive failures and moves it to half-open via the timer. */
function toHalfOpen(rec: BreakerRecord, ctx: MachineCtx & { advance(ms: number): void }): void {
  feed(rec, "fffff", ctx);
  expect(rec.state).toBe("open");
  ctx.advance((rec.openUntil ?? 0) - ctx.now);
  onTimer(rec, ctx);
  expect(rec.state).toBe("half_open");
}

// Cases ported from resilience4j's CircuitBreakerStateMachineTest (semantics, our own code).
describe("state machine: resilience4j cases", () => {
  const cfg = breakerConfig({ window: { type: "count", size: 5 }, min_calls: 5, failure_rate: 0.5, consecutive_failures: 0, half_open_calls: 4 });

  it("stays closed below min_calls, opens at the 5th call with 3 failures of 5 (>=)", () => {
    const ctx = machine(cfg);
    const rec = newRecord(ctx.now, cfg);
    expect(feed(rec, "ffff", ctx)).toEqual([]); // 4 calls: rate undefined below min_calls
    expect(rec.state).toBe("closed");
    const rec2 = newRecord(ctx.now, cfg);
    feed(rec2, "sfsf", ctx);
    expect(rec2.state).toBe("closed");
    const t = feed(rec2, "f", ctx); // 3 of 5 = 60% >= 50%
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({ from: "closed", to: "open", generation: 1 });
    expect(rec2.reason).toMatch(/failure rate 60% >= 50% over 5 calls/);
  });

  it("opens exactly at the threshold (2.5 of 5 impossible; 50% of 4 with min 4)", () => {
    const c4 = breakerConfig({ window: { type: "count", size: 4 }, min_calls: 4, failure_rate: 0.5, consecutive_failures: 0 });
    const ctx = machine(c4);
    const rec = newRecord(ctx.now, c4);
    feed(rec, "sfsf", ctx);
    expect(rec.state).toBe("open");
  });

  it("opens on slow-call rate with no errors", () => {
    const slow = breakerConfig({ window: { type: "count", size: 5 }, min_calls: 5, slow_call_rate: 0.5, consecutive_failures: 0 });
    const ctx = machine(slow);
    const rec = newRecord(ctx.now, slow);
    feed(rec, "SSsSs", ctx);
    expect(rec.state).toBe("open");
    expect(rec.reason).toMatch(/slow call rate 60%/);
  });

  it("never goes closed -> half_open on the timer", () => {
    const ctx = machine(cfg);
    const rec = newRecord(ctx.now, cfg);
    ctx.advance(10 * 60_000);
    expect(onTimer(rec, ctx)).toEqual([]);
    expect(rec.state).toBe("closed");
  });

  it("moves open -> half_open only after the wait", () => {
    const ctx = machine(cfg);
    const rec = newRecord(ctx.now, cfg);
    feed(rec, "fffff", ctx);
    const until = rec.openUntil ?? 0;
    ctx.advance(until - ctx.now - 1);
    expect(onTimer(rec, ctx)).toEqual([]);
    ctx.advance(1);
    expect(onTimer(rec, ctx)[0]).toMatchObject({ from: "open", to: "half_open" });
  });

  it("permits exactly half_open_calls calls across holders", () => {
    const ctx = machine(cfg);
    const rec = newRecord(ctx.now, cfg);
    toHalfOpen(rec, ctx);
    expect(grantLeases(rec, "a", 3, 5000, ctx)).toBe(3);
    expect(grantLeases(rec, "b", 3, 5000, ctx)).toBe(1);
    expect(grantLeases(rec, "c", 3, 5000, ctx)).toBe(0);
  });

  it("half-open -> open at 3 of 4 failures", () => {
    const ctx = machine(cfg);
    const rec = newRecord(ctx.now, cfg);
    toHalfOpen(rec, ctx);
    expect(feed(rec, "fff", ctx)).toEqual([]); // waits for all permitted calls
    const t = feed(rec, "s", ctx);
    expect(t[0]).toMatchObject({ from: "half_open", to: "open" });
  });

  it("half-open -> closed at 1 of 4 failures, with metrics reset", () => {
    const ctx = machine(cfg);
    const rec = newRecord(ctx.now, cfg);
    toHalfOpen(rec, ctx);
    const t = feed(rec, "fsss", ctx);
    expect(t[0]).toMatchObject({ from: "half_open", to: "closed" });
    expect(snapshotOf(rec, ctx.now).counts.calls).toBe(0);
    feed(rec, "ffff", ctx); // below min_calls again: the old window is gone
    expect(rec.state).toBe("closed");
  });

  it("ignores outcomes reported while open (made before isolates learnt of it)", () => {
    const ctx = machine(cfg);
    const rec = newRecord(ctx.now, cfg);
    feed(rec, "fffff", ctx);
    const gen = rec.generation;
    feed(rec, "ssssssssss", ctx);
    expect(rec.state).toBe("open");
    expect(rec.generation).toBe(gen);
  });

  it("force open, disable, reset", () => {
    const ctx = machine(cfg);
    const rec = newRecord(ctx.now, cfg);
    expect(applyCommand(rec, "open", ctx)[0]).toMatchObject({ to: "forced_open" });
    ctx.advance(10 * 60_000);
    expect(onTimer(rec, ctx)).toEqual([]); // forced_open never times out
    applyCommand(rec, "close", ctx);
    expect(rec.state).toBe("disabled");
    feed(rec, "ffffffffff", ctx);
    expect(rec.state).toBe("disabled"); // counts, never opens
    expect(snapshotOf(rec, ctx.now).counts.failures).toBe(5);
    applyCommand(rec, "reset", ctx);
    expect(rec.state).toBe("closed");
    expect(snapshotOf(rec, ctx.now).counts.calls).toBe(0);
    expect(rec.generation).toBe(3);
  });
});

// Cases ported from cockatiel's CircuitBreakerPolicy.test.ts (semantics, our own code).
describe("state machine: cockatiel cases", () => {
  const cfg = breakerConfig({ consecutive_failures: 3, open_ms: 1000, open_max_ms: 8000, half_open_calls: 1 });

  it("opens after consecutive failures; a success resets the streak", () => {
    const ctx = machine(cfg);
    const rec = newRecord(ctx.now, cfg);
    feed(rec, "ffsff", ctx);
    expect(rec.state).toBe("closed");
    feed(rec, "f", ctx);
    expect(rec.state).toBe("open");
    expect(rec.reason).toMatch(/^3 consecutive failures/);
  });

  it("closes after a successful half-open test and re-opens after a failing one", () => {
    const ctx = machine(cfg);
    const rec = newRecord(ctx.now, cfg);
    feed(rec, "fff", ctx);
    ctx.advance(1000);
    onTimer(rec, ctx);
    feed(rec, "f", ctx);
    expect(rec.state).toBe("open");
    ctx.advance((rec.openUntil ?? 0) - ctx.now);
    onTimer(rec, ctx);
    feed(rec, "s", ctx);
    expect(rec.state).toBe("closed");
  });

  it("dedupes half-open tests: one lease, re-granted only after it expires", () => {
    const ctx = machine(cfg);
    const rec = newRecord(ctx.now, cfg);
    feed(rec, "fff", ctx);
    ctx.advance(1000);
    onTimer(rec, ctx);
    expect(grantLeases(rec, "a", 1, 5000, ctx)).toBe(1);
    expect(grantLeases(rec, "b", 1, 5000, ctx)).toBe(0);
    ctx.advance(5000);
    expect(grantLeases(rec, "b", 1, 5000, ctx)).toBe(1);
  });

  it("grows open time exponentially on each re-open, capped, and resets on close", () => {
    const ctx = machine(cfg); // random 0.5: no jitter
    const rec = newRecord(ctx.now, cfg);
    const durations: number[] = [];
    feed(rec, "fff", ctx);
    for (let i = 0; i < 5; i++) {
      durations.push((rec.openUntil ?? 0) - ctx.now);
      ctx.advance((rec.openUntil ?? 0) - ctx.now);
      onTimer(rec, ctx);
      feed(rec, "f", ctx);
    }
    expect(durations).toEqual([1000, 2000, 4000, 8000, 8000]);
    ctx.advance((rec.openUntil ?? 0) - ctx.now);
    onTimer(rec, ctx);
    feed(rec, "s", ctx);
    expect(rec.state).toBe("closed");
    feed(rec, "fff", ctx);
    expect((rec.openUntil ?? 0) - ctx.now).toBe(1000);
  });

  it("state can be exported and restored (JSON round trip keeps behaviour)", () => {
    const ctx = machine(cfg);
    const rec = newRecord(ctx.now, cfg);
    feed(rec, "ff", ctx);
    const restored = JSON.parse(JSON.stringify(rec)) as BreakerRecord;
    feed(restored, "f", ctx);
    expect(restored.state).toBe("open");
  });
});

describe("state machine: fleet rules", () => {
  const cfg = breakerConfig({ window: { type: "count", size: 10 }, min_calls: 4, consecutive_failures: 0, min_reporting_colos: 2 });

  it("one colo failing while another works does not open; it says it would", () => {
    const ctx = machine(cfg);
    const rec = newRecord(ctx.now, cfg);
    feed(rec, "ss", ctx, { colo: "AMS", holder: "i2", probes: 0 });
    feed(rec, "ffff", ctx);
    expect(rec.state).toBe("closed");
    expect(rec.wouldOpen).toMatch(/held closed: 1 colo\(s\) see failures, 1 see it working/);
  });

  it("opens when a second colo confirms", () => {
    const ctx = machine(cfg);
    const rec = newRecord(ctx.now, cfg);
    feed(rec, "s", ctx, { colo: "AMS", holder: "i2", probes: 0 });
    feed(rec, "ffff", ctx);
    feed(rec, "ff", ctx, { colo: "AMS", holder: "i2", probes: 0 });
    expect(rec.state).toBe("open");
  });

  it("opens on total failure seen by a single colo", () => {
    const ctx = machine(cfg);
    const rec = newRecord(ctx.now, cfg);
    feed(rec, "ffff", ctx);
    expect(rec.state).toBe("open");
  });

  it("counts connect errors, timeouts and failing statuses apart", () => {
    const ctx = machine(breakerConfig({ min_calls: 100, consecutive_failures: 0 }));
    const rec = newRecord(ctx.now, ctx.config);
    feed(rec, "cCtfFss", ctx);
    expect(snapshotOf(rec, ctx.now).counts).toEqual({ calls: 7, failures: 5, slow: 2, connect: 2, timeout: 1, status: 2 });
  });

  it("time window forgets calls older than size_s", () => {
    const tcfg = breakerConfig({ window: { type: "time", size_s: 10 }, min_calls: 4, consecutive_failures: 0 });
    const ctx = machine(tcfg);
    const rec = newRecord(ctx.now, tcfg);
    feed(rec, "fff", ctx);
    ctx.advance(10_000);
    feed(rec, "f", ctx);
    expect(rec.state).toBe("closed");
    expect(snapshotOf(rec, ctx.now).counts.calls).toBe(1);
  });

  it("a probe report returns the holder's lease", () => {
    const c = breakerConfig({ consecutive_failures: 2, half_open_calls: 2, open_ms: 100 });
    const ctx = machine(c);
    const rec = newRecord(ctx.now, c);
    feed(rec, "ff", ctx);
    ctx.advance(100);
    onTimer(rec, ctx);
    expect(grantLeases(rec, "a", 2, 5000, ctx)).toBe(2);
    applyOutcomes(rec, "s", { colo: "FRA", holder: "a", probes: 1 }, ctx);
    expect(grantLeases(rec, "b", 2, 5000, ctx)).toBe(0); // 1 tallied + 1 still leased
    expect(rec.probe.leases["a"]?.n).toBe(1);
  });
});
