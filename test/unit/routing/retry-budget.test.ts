import { describe, expect, it } from "vitest";
import { RetryBudget, type Schedule } from "../../../src/routing/retry-budget";

/** A schedule driven by hand: fire() runs every pending timer whose time has come. */
function manualClock() {
  let now = 0;
  const timers: { at: number; fn: () => void; live: boolean }[] = [];
  const schedule: Schedule = (ms, fn) => {
    const t = { at: now + ms, fn, live: true };
    timers.push(t);
    return () => void (t.live = false);
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers) if (t.live && t.at <= now) (t.live = false), t.fn();
  };
  return { schedule, advance, pending: () => timers.filter((t) => t.live).length };
}

const started = (b: RetryBudget, n: number) => {
  for (let i = 0; i < n; i++) b.requestStarted();
  return b;
};

describe("RetryBudget", () => {
  it("allows max(min, percent × requests in flight) retries at once, as Envoy's budget", () => {
    const b = started(new RetryBudget(20, 3), 50);
    const granted = Array.from({ length: 12 }, () => b.tryRetry()).filter(Boolean).length;
    expect(granted).toBe(10);
    const small = started(new RetryBudget(20, 3), 4);
    expect([small.tryRetry(), small.tryRetry(), small.tryRetry(), small.tryRetry()]).toEqual([true, true, true, false]);
    small.retryEnded();
    expect(small.tryRetry()).toBe(true);
  });

  it("refuses at once when waiting is off", () => {
    const b = started(new RetryBudget(0, 1), 2);
    expect(b.acquire()).toBe(true);
    expect(b.acquire()).toBe(false);
  });

  it("hands a finishing retry's slot to the longest waiter, never exceeding the budget", async () => {
    const c = manualClock();
    const b = started(new RetryBudget(0, 1, 500, c.schedule), 3);
    expect(b.acquire()).toBe(true);
    const second = b.acquire();
    const third = b.acquire();
    expect(second).toBeInstanceOf(Promise);
    expect(b.inFlight).toEqual({ requests: 3, retries: 1, waiting: 2 });
    // A newcomer cannot jump the queue.
    expect(b.tryRetry()).toBe(false);
    b.retryEnded();
    expect(await second).toBe(true);
    expect(b.inFlight).toEqual({ requests: 3, retries: 1, waiting: 1 });
    b.retryEnded();
    expect(await third).toBe(true);
    b.retryEnded();
    expect(b.inFlight).toEqual({ requests: 3, retries: 0, waiting: 0 });
    // The granted waiters' timers were cancelled.
    expect(c.pending()).toBe(0);
  });

  it("gives up after maxWaitMs, and the waiter leaves the queue", async () => {
    const c = manualClock();
    const b = started(new RetryBudget(0, 1, 500, c.schedule), 2);
    expect(b.acquire()).toBe(true);
    const waiting = b.acquire();
    c.advance(499);
    expect(b.inFlight.waiting).toBe(1);
    c.advance(1);
    expect(await waiting).toBe(false);
    expect(b.inFlight.waiting).toBe(0);
    // The slot that ends later goes back to the pool, not to the departed waiter.
    b.retryEnded();
    expect(b.inFlight.retries).toBe(0);
    expect(b.tryRetry()).toBe(true);
  });

  it("does not hand over a slot the budget no longer has room for", async () => {
    const c = manualClock();
    const b = started(new RetryBudget(50, 1, 500, c.schedule), 10);
    for (let i = 0; i < 5; i++) expect(b.tryRetry()).toBe(true);
    const waiting = b.acquire();
    // Traffic falls: the budget shrinks to max(1, 50 % of 2) = 1 while 5 retries are out.
    for (let i = 0; i < 8; i++) b.requestEnded();
    for (let i = 0; i < 4; i++) b.retryEnded();
    expect(b.inFlight).toEqual({ requests: 2, retries: 1, waiting: 1 });
    b.retryEnded();
    expect(await waiting).toBe(true);
    expect(b.inFlight.retries).toBe(1);
  });
});
