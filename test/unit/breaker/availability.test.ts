import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../support/prng";
import { AvailabilityBook } from "../../../src/breaker/availability";
import { type Entry, newEntry } from "../../../src/breaker/client-entry";
import { type BreakerSnapshot, type BreakerState, emptyCounts } from "../../../src/breaker/types";

const rng = mulberry32;

const STATES: readonly (BreakerState | null)[] = [null, "closed", "closed", "open", "forced_open", "half_open", "disabled"];
const NOW = 1_000_000;

function snapshot(state: BreakerState, since: number): BreakerSnapshot {
  return { state, since, reason: "", generation: 1, openUntil: state === "open" ? NOW + 5000 : null, wouldOpen: null, counts: emptyCounts() };
}

/** Gives entry e a random state: any breaker state, a local trip, leases or none. */
function scramble(e: Entry, r: () => number): void {
  const state = STATES[Math.floor(r() * STATES.length)] ?? null;
  e.snap = state === null ? null : snapshot(state, Math.floor(r() * 50));
  e.localTrip = r() < 0.3 ? { at: Math.floor(r() * 50), until: NOW + 1000, reason: "consecutive" } : null;
  e.leases = r() < 0.5 ? 1 : 0;
  e.leaseUntil = NOW + 1000;
}

describe("AvailabilityBook", () => {
  it.each([1, 2, 3, 4, 5])("one breaker's change re-evaluated alone gives what a full pass gives (seed %i)", (seed) => {
    const r = rng(seed);
    const ids = Array.from({ length: 9 }, (_, i) => `o${i}`);
    const pools = new Map([["p", ids], ["q", ["q0", "q1"]]]);
    const entries = new Map<string, Entry>();
    for (const id of [...ids, "q0", "q1"]) entries.set(id, newEntry(id, id.startsWith("q") ? "q" : "p"));
    const incremental = new AvailabilityBook();
    const full = new AvailabilityBook();
    for (const b of [incremental, full]) {
      b.setPools(pools, 34);
      b.updateAll(entries, NOW);
    }
    for (let step = 0; step < 400; step++) {
      const id = [...entries.keys()][Math.floor(r() * entries.size)] as string;
      const e = entries.get(id)!;
      scramble(e, r);
      incremental.update(e, entries, NOW);
      full.updateAll(entries, NOW);
      for (const x of entries.keys()) {
        expect([x, incremental.isAvailable(x), incremental.isHeld(x)]).toEqual([x, full.isAvailable(x), full.isHeld(x)]);
      }
    }
  });

  it("holds the breakers beyond the cap in the order they opened, however many origins the pool has", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `o${i}`);
    const entries = new Map(ids.map((id) => [id, newEntry(id, "wide")] as const));
    const book = new AvailabilityBook();
    book.setPools(new Map([["wide", ids]]), 50);
    book.updateAll(entries, NOW);
    // 5,000 may be out; open 5,001 one by one, each reported on its own.
    for (let i = 0; i <= 5000; i++) {
      const e = entries.get(`o${i}`)!;
      e.snap = snapshot("open", i);
      book.update(e, entries, NOW);
    }
    expect(book.isAvailable("o0")).toBe(false);
    expect(book.isAvailable("o4999")).toBe(false);
    expect(book.isHeld("o5000")).toBe(true);
    expect(book.isAvailable("o5000")).toBe(true);
    // The earliest one closes: the held one now counts against the cap.
    const first = entries.get("o0")!;
    first.snap = snapshot("closed", 6000);
    book.update(first, entries, NOW);
    expect(book.isAvailable("o0")).toBe(true);
    expect(book.isHeld("o5000")).toBe(false);
    expect(book.isAvailable("o5000")).toBe(false);
  });
});
