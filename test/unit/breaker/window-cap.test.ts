import { describe, expect, it } from "vitest";
import { openDurationMs } from "../../../src/breaker/backoff";
import { heldByCap, maxEjected, type CapMember } from "../../../src/breaker/ejection-cap";
import { newWindow, tally, windowAdd, windowTotals } from "../../../src/breaker/window";

describe("count window", () => {
  it("keeps running totals equal to the last N calls (property over random sequences)", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const codes = "sSfFcCtT";
    for (let trial = 0; trial < 50; trial++) {
      const size = 1 + Math.floor(rnd() * 20);
      const w = newWindow({ type: "count", size });
      let all = "";
      for (let i = 0; i < 60; i++) {
        const code = codes[Math.floor(rnd() * codes.length)] ?? "s";
        all += code;
        windowAdd(w, code, 0);
        expect(windowTotals(w, 0)).toEqual(tally(all.slice(-size)));
      }
    }
  });
});

describe("time window", () => {
  it("expires whole seconds and keeps the rest", () => {
    const w = newWindow({ type: "time", size_s: 3 });
    windowAdd(w, "f", 0);
    windowAdd(w, "s", 1000);
    windowAdd(w, "s", 2999);
    expect(windowTotals(w, 2999).calls).toBe(3);
    expect(windowTotals(w, 3000)).toEqual(tally("ss"));
    expect(windowTotals(w, 60_000).calls).toBe(0);
  });
});

describe("open-time backoff", () => {
  const cfg = { open_ms: 1000, open_max_ms: 10_000 };
  it("stays within [open_ms, open_max_ms] for any randomness and grows with reopens", () => {
    for (const r of [0, 0.25, 0.5, 0.999]) {
      let prevBase = 0;
      for (let k = 0; k < 40; k++) {
        const d = openDurationMs(cfg, k, () => r);
        expect(d).toBeGreaterThanOrEqual(1000);
        expect(d).toBeLessThanOrEqual(10_000);
        const base = openDurationMs(cfg, k, () => 0.5);
        expect(base).toBeGreaterThanOrEqual(prevBase);
        prevBase = base;
      }
    }
  });
  it("jitters by at most 20%", () => {
    expect(openDurationMs(cfg, 2, () => 0)).toBe(3200);
    expect(openDurationMs(cfg, 2, () => 0.999)).toBeLessThanOrEqual(4800);
  });
});

describe("ejection cap (max_ejection_percent)", () => {
  it("rounds down but never below one for pools of two or more", () => {
    expect(maxEjected(1, 50)).toBe(0);
    expect(maxEjected(2, 50)).toBe(1);
    expect(maxEjected(3, 50)).toBe(1);
    expect(maxEjected(4, 50)).toBe(2);
    expect(maxEjected(10, 10)).toBe(1);
    expect(maxEjected(3, 0)).toBe(1);
    expect(maxEjected(5, 100)).toBe(5);
  });
  const m = (id: string, out: boolean, since: number, forced = false): CapMember => ({ id, out, since, forced });
  it("holds the later opens beyond the cap, keeping the earliest ejected", () => {
    const held = heldByCap([m("a", true, 20), m("b", true, 10), m("c", false, 0), m("d", true, 30)], 50);
    expect([...held].sort()).toEqual(["d"]); // 4 members at 50%: b then a stay ejected
  });
  it("never holds operator-forced opens and counts them first", () => {
    const held = heldByCap([m("a", true, 10), m("b", true, 50, true), m("c", false, 0)], 50);
    expect([...held]).toEqual(["a"]);
  });
  it("a single-origin pool is never emptied", () => {
    expect([...heldByCap([m("only", true, 1)], 50)]).toEqual(["only"]);
  });
});
