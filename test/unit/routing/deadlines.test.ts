import { describe, expect, it } from "vitest";
import { type Deadline, Deadlines, GRANULARITY_MS, LATE_MS, SLICE_MS, TENURE_MS } from "../../../src/routing/deadlines";

/** A virtual clock whose sleeps resolve only when the test advances time past them. */
function harness() {
  let now = 0;
  const sleepers: { until: number; wake: () => void }[] = [];
  const deadlines = new Deadlines({
    now: () => now,
    sleep: (ms) => new Promise<void>((wake) => sleepers.push({ until: now + ms, wake })),
  });
  const flush = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return {
    deadlines,
    sleepers,
    /** Moves the clock to `to` in steps, waking each sleeper when its time comes. */
    async advance(to: number) {
      for (;;) {
        const due = sleepers.filter((s) => s.until <= to).sort((a, b) => a.until - b.until)[0];
        if (!due) break;
        sleepers.splice(sleepers.indexOf(due), 1);
        now = Math.max(now, due.until);
        due.wake();
        await flush();
      }
      now = to;
      await flush();
    },
    flush,
  };
}

const deadline = (at: number, log: string[], name: string): Deadline => ({ at, expire: () => log.push(name) });

describe("Deadlines: one watchdog for every attempt in flight", () => {
  it("expires what outlives its deadline and nothing settled before it", async () => {
    const h = harness();
    const log: string[] = [];
    const a = deadline(100, log, "a");
    const b = deadline(150, log, "b");
    expect(h.deadlines.add(a)).toBeInstanceOf(Promise);
    expect(h.deadlines.add(b)).toBeUndefined();
    h.deadlines.settle(b);
    await h.advance(99);
    expect(log).toEqual([]);
    await h.advance(100);
    expect(log).toEqual(["a"]);
    expect(h.deadlines.size).toBe(0);
  });

  it("uses one watchdog, sleeping in slices, for a stream of attempts however many", async () => {
    const h = harness();
    const log: string[] = [];
    let started = 0;
    for (let t = 0; t < 50; t++) {
      if (h.deadlines.add(deadline(t + 5000, log, `d${t}`))) started++;
    }
    expect(started).toBe(1);
    expect(h.sleepers).toHaveLength(1);
    expect(h.sleepers[0]!.until).toBe(SLICE_MS);
    await h.advance(1000);
    expect(h.deadlines.stats.watchdogs).toBe(1);
    expect(h.deadlines.stats.wakes).toBe(1000 / SLICE_MS);
  });

  it("stops at the first wake with nothing pending, so its request is held at most one slice", async () => {
    const h = harness();
    const log: string[] = [];
    const a = deadline(5000, log, "a");
    const watchdog = h.deadlines.add(a)!;
    let done = false;
    void watchdog.then(() => (done = true));
    h.deadlines.settle(a);
    await h.flush();
    // Settling does not wake it (that would settle its request's promise from another request).
    expect(done).toBe(false);
    await h.advance(SLICE_MS);
    expect(done).toBe(true);
    // The next attempt starts a fresh watchdog.
    expect(h.deadlines.add(deadline(6000, log, "b"))).toBeInstanceOf(Promise);
  });

  it("meets a short deadline added while a long one is watched", async () => {
    const h = harness();
    const log: string[] = [];
    h.deadlines.add(deadline(5000, log, "long"));
    h.deadlines.add(deadline(200, log, "short"));
    await h.advance(199);
    expect(log).toEqual([]);
    await h.advance(200 + GRANULARITY_MS);
    expect(log).toEqual(["short"]);
    await h.advance(5000 + GRANULARITY_MS);
    expect(log).toEqual(["short", "long"]);
  });

  it("replaces a watchdog that died with its request (overdue past LATE_MS)", async () => {
    const h = harness();
    const log: string[] = [];
    h.deadlines.add(deadline(100, log, "a"));
    // The owner's context ended: its sleep never resolves.
    h.sleepers.length = 0;
    expect(h.deadlines.add(deadline(100 + LATE_MS, log, "b"))).toBeUndefined();
    await h.advance(100 + LATE_MS + 1);
    expect(log).toEqual([]);
    expect(h.deadlines.add(deadline(5000, log, "c"))).toBeInstanceOf(Promise);
    await h.flush();
    expect(log).toEqual(["a", "b"]);
  });

  it("hands over after its tenure to a watchdog of a newer request", async () => {
    const h = harness();
    const log: string[] = [];
    h.deadlines.add(deadline(TENURE_MS * 2, log, "a"));
    expect(h.deadlines.add(deadline(TENURE_MS * 2, log, "b"))).toBeUndefined();
    await h.advance(TENURE_MS);
    expect(h.deadlines.add(deadline(TENURE_MS * 3, log, "c"))).toBeInstanceOf(Promise);
    expect(h.deadlines.stats.watchdogs).toBe(2);
    await h.advance(TENURE_MS * 2 + GRANULARITY_MS);
    expect(log).toEqual(["a", "b"]);
  });

  it("wakes no more often than GRANULARITY_MS", async () => {
    const h = harness();
    const log: string[] = [];
    h.deadlines.add(deadline(1, log, "a"));
    expect(h.sleepers[0]!.until).toBe(GRANULARITY_MS);
    await h.advance(GRANULARITY_MS);
    expect(log).toEqual(["a"]);
  });
});
