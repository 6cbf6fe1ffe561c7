import { describe, expect, it } from "vitest";
import { Telemetry } from "../../../src/telemetry/telemetry";
import type { RequestSample } from "../../../src/telemetry/types";
import { FakeD1 } from "./fake-d1";

const T0 = 1_700_000_000_000;
const sample = (at: number, country = "DE"): RequestSample => ({
  at, pool: "eu", origin: "eu-1", country, colo: "FRA", outcome: "ok", latencyMs: 15, bytes: 10, retry: false,
});

function setup(opts: { maxKeys?: number; enabled?: boolean; sleep?: (ms: number) => Promise<void> } = {}) {
  const clock = { t: T0 };
  let n = 0;
  const tel = new Telemetry({ now: () => clock.t, flushIntervalMs: 10_000, newId: () => `id-${++n}`, ...opts });
  const d1 = new FakeD1();
  return { clock, tel, d1, db: d1.asDb() };
}

describe("Telemetry flushing", () => {
  it("does nothing when disabled", async () => {
    const { tel, db, clock, d1 } = setup({ enabled: false });
    tel.record(sample(T0));
    clock.t += 60_000;
    expect(tel.maybeFlush(db)).toBeUndefined();
    expect(tel.pending.requests).toBe(0);
    await tel.flushNow(db);
    expect(d1.batches).toBe(0);
  });

  it("flushes by time, not before, in one transaction of two statements", async () => {
    const { tel, db, clock, d1 } = setup();
    for (let i = 0; i < 1000; i++) tel.record(sample(T0 + i));
    clock.t += 9_999;
    expect(tel.maybeFlush(db)).toBeUndefined();
    clock.t += 1;
    const p = tel.maybeFlush(db);
    expect(p).toBeDefined();
    // One flush in flight at a time.
    expect(tel.maybeFlush(db)).toBeUndefined();
    await p;
    expect(d1.requests).toBe(1000);
    expect(tel.stats).toEqual({ statements: 2, flushes: 1, failedFlushes: 0, droppedRequests: 0 });
    // Nothing pending: no flush even though time passed.
    clock.t += 20_000;
    expect(tel.maybeFlush(db)).toBeUndefined();
  });

  it("flushes by size as soon as maxKeys distinct keys are pending", async () => {
    const { tel, db, d1 } = setup({ maxKeys: 3 });
    tel.record(sample(T0, "DE"));
    tel.record(sample(T0, "FR"));
    expect(tel.maybeFlush(db)).toBeUndefined();
    tel.record(sample(T0, "IT"));
    await tel.maybeFlush(db);
    expect(d1.requests).toBe(3);
  });

  it("retries a failed batch once with the next flush, counting it exactly once", async () => {
    const { tel, db, clock, d1 } = setup();
    for (let i = 0; i < 50; i++) tel.record(sample(T0));
    d1.plan = ["fail"];
    const r1 = await tel.flushNow(db);
    expect(r1.ok).toBe(false);
    expect(tel.pending.retrying).toBe(true);
    for (let i = 0; i < 7; i++) tel.record(sample(T0 + 1));
    clock.t += 10_000;
    const r2 = await tel.flushNow(db);
    expect(r2.ok).toBe(true);
    expect(d1.requests).toBe(57);
    expect(d1.dropped).toBe(0);
    expect(tel.stats.failedFlushes).toBe(1);
  });

  it("after a failed retry drops the counts but writes their number as dropped later", async () => {
    const { tel, db, d1 } = setup();
    for (let i = 0; i < 40; i++) tel.record(sample(T0));
    d1.plan = ["fail", "fail", "fail"];
    await tel.flushNow(db); // fresh fails → kept
    for (let i = 0; i < 5; i++) tel.record(sample(T0));
    const r = await tel.flushNow(db); // retry fails → 40 dropped; fresh 5 (+dropped record) fails → kept
    expect(r.dropped).toBe(40);
    expect(tel.stats.droppedRequests).toBe(40);
    await tel.flushNow(db); // retry of the 5 (+dropped record) succeeds
    expect(d1.requests).toBe(5);
    expect(d1.dropped).toBe(40);
    expect(d1.requests + d1.dropped).toBe(45);
  });

  it("keeps the dropped record even when the batch carrying it is lost too", async () => {
    const { tel, db, d1 } = setup();
    for (let i = 0; i < 10; i++) tel.record(sample(T0));
    d1.plan = ["fail", "fail", "fail", "fail"];
    await tel.flushNow(db);
    tel.record(sample(T0));
    await tel.flushNow(db); // 10 dropped; [1 + dropped 10] kept
    await tel.flushNow(db); // its retry fails: 1 more dropped, carrying 11 dropped
    await tel.flushNow(db); // nothing fresh: the dropped-only record is written
    expect(d1.requests).toBe(0);
    expect(d1.dropped).toBe(11);
    expect(tel.stats.droppedRequests).toBe(11);
  });

  it("recognises a retry of a batch that did commit (answer lost) and does not count it twice", async () => {
    const { tel, db, d1 } = setup();
    for (let i = 0; i < 30; i++) tel.record(sample(T0));
    d1.plan = ["commit-then-fail"];
    const r1 = await tel.flushNow(db);
    expect(r1.ok).toBe(false);
    const r2 = await tel.flushNow(db);
    expect(r2.ok).toBe(true);
    expect(d1.requests).toBe(30);
    expect(tel.pending.retrying).toBe(false);
  });

  it("never rejects, even if the binding throws synchronously", async () => {
    const { tel, clock } = setup();
    tel.record(sample(T0));
    clock.t += 10_000;
    const broken = {
      prepare: () => {
        throw new Error("no binding");
      },
      batch: async () => [],
    } as unknown as D1Database;
    await expect(tel.maybeFlush(broken)).resolves.toBeUndefined();
    expect(tel.stats.failedFlushes).toBe(1);
    expect(tel.pending.retrying).toBe(true);
  });

  it("arms one deferred flush so an isolate whose traffic stops still flushes", async () => {
    const waits: { ms: number; go: () => void }[] = [];
    const sleep = (ms: number) => new Promise<void>((go) => waits.push({ ms, go }));
    const { tel, db, clock, d1 } = setup({ sleep });
    clock.t += 4_000;
    tel.record(sample(clock.t));
    const p = tel.maybeFlush(db);
    expect(p).toBeDefined();
    expect(waits.map((w) => w.ms)).toEqual([6_000]);
    tel.record(sample(clock.t));
    expect(tel.maybeFlush(db)).toBeUndefined();
    clock.t += 6_000;
    waits[0]!.go();
    await p;
    expect(d1.requests).toBe(2);
  });
});

describe("Telemetry concurrency", () => {
  it("serialises concurrent flushNow calls so failed batches never overwrite each other", async () => {
    const { tel, db, d1 } = setup();
    for (let i = 0; i < 10; i++) tel.record(sample(T0));
    d1.plan = ["fail"];
    const first = tel.flushNow(db); // in flight, will fail
    tel.record(sample(T0, "FR"));
    const [a, b, c] = await Promise.all([first, tel.flushNow(db), tel.flushNow(db)]);
    expect(a.ok).toBe(false);
    expect(b.ok && c.ok).toBe(true);
    await tel.flushNow(db);
    expect(d1.requests).toBe(11);
    expect(d1.dropped).toBe(0);
    expect(d1.maxInFlight).toBe(1);
  });
});

describe("Telemetry deferred retry", () => {
  it("arms a deferred flush for a pending retry even when no new traffic arrives", async () => {
    const waits: { ms: number; go: () => void }[] = [];
    const sleep = (ms: number) => new Promise<void>((go) => waits.push({ ms, go }));
    const { tel, db, clock, d1 } = setup({ sleep });
    tel.record(sample(T0));
    d1.plan = ["fail"];
    await tel.flushNow(db);
    expect(tel.pending).toMatchObject({ keys: 0, retrying: true });
    const p = tel.maybeFlush(db);
    expect(p).toBeDefined();
    expect(waits.map((w) => w.ms)).toEqual([10_000]);
    clock.t += 10_000;
    waits[0]!.go();
    await p;
    expect(d1.requests).toBe(1);
    expect(tel.pending.retrying).toBe(false);
  });
});
