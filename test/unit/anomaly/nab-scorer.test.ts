import { describe, expect, it } from "vitest";
import { optimiseThreshold, PROFILES, probationRows, rawScore, rowWeights, scaledSigmoid } from "../../../bench/nab/scorer.js";

const standard = PROFILES[0]!;
const lowFp = PROFILES[1]!;
const lowFn = PROFILES[2]!;
/** 100 rows at t = 0..99; probation is 15 rows. */
const t = Array.from({ length: 100 }, (_, i) => i);
const at = (...rows: number[]) => t.map((i) => (rows.includes(i) ? 1 : 0));

describe("NAB scorer on hand-made cases", () => {
  it("has the scaled sigmoid's fixed points", () => {
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(-1)).toBeCloseTo(2 / (1 + Math.exp(-5)) - 1, 12);
    expect(scaledSigmoid(3.5)).toBe(-1);
    expect(probationRows(100)).toBe(15);
    expect(probationRows(10_000)).toBe(750);
  });

  it("values a detection by its place in the window: left edge ≈ 0.987, right edge small", () => {
    const file = (rows: number[]) => ({ t, scores: at(...rows), windows: [[40, 49]] as Array<[number, number]> });
    expect(rawScore(file([40]), standard, 0.5)).toBeCloseTo(scaledSigmoid(-1), 12);
    expect(rawScore(file([49]), standard, 0.5)).toBeCloseTo(scaledSigmoid(-0.1), 12);
    // Only the earliest detection of a window counts.
    expect(rawScore(file([40, 45, 49]), standard, 0.5)).toBeCloseTo(scaledSigmoid(-1), 12);
    // A missed window costs A_fn.
    expect(rawScore(file([]), standard, 0.5)).toBe(-1);
    expect(rawScore(file([]), lowFn, 0.5)).toBe(-2);
  });

  it("charges false positives: full A_fp before any window, less just after one", () => {
    const file = (rows: number[]) => ({ t, scores: at(...rows), windows: [[40, 49]] as Array<[number, number]> });
    // Row 20 precedes every window; row 10 is probationary and ignored.
    expect(rawScore(file([10, 20]), standard, 0.5)).toBeCloseTo(-1 - 0.11, 12);
    expect(rawScore(file([20]), lowFp, 0.5)).toBeCloseTo(-1 - 0.22, 12);
    // Row 52 is 3 rows past the window's right edge (49), width 10: y = 3/9.
    expect(rawScore(file([40, 52]), standard, 0.5)).toBeCloseTo(scaledSigmoid(-1) + 0.11 * scaledSigmoid(3 / 9), 12);
    expect(rawScore(file([40, 90]), standard, 0.5)).toBeCloseTo(scaledSigmoid(-1) - 0.11, 12);
  });

  it("sweeps one threshold over all files and normalises between null and perfect", () => {
    const a = { t, scores: t.map((i) => (i === 40 ? 0.9 : i === 70 ? 0.6 : 0.1)), windows: [[40, 49]] as Array<[number, number]> };
    const b = { t, scores: t.map((i) => (i === 30 ? 0.7 : 0.1)), windows: [[60, 69]] as Array<[number, number]> };
    const r = optimiseThreshold([a, b], standard);
    expect(r.nullScore).toBe(-2);
    expect(r.perfect).toBe(2);
    // Threshold 0.9 catches a's window only; lower ones add false positives and no window.
    expect(r.threshold).toBe(0.9);
    expect(r.raw).toBeCloseTo(scaledSigmoid(-1) - 1, 12);
    expect(r.normalised).toBeCloseTo((100 * (r.raw + 2)) / 4, 9);
    const none = optimiseThreshold([{ ...a, scores: t.map(() => 0) }], standard);
    expect(none.normalised).toBe(0);
  });

  it("counts rows by window membership on irregular timestamps", () => {
    const irregular = [0, 5, 6, 7, 20, 21, 22, 40, 41, 42, ...Array.from({ length: 90 }, (_, i) => 100 + i)];
    const w = rowWeights(irregular, [[100, 109]]);
    expect(w.window.filter((k) => k === 0)).toHaveLength(10);
    // Rows 10..19 form the window; row 15 is the first past probation (15 rows): y = −5/10.
    expect(w.sigma[14]).toBeNaN();
    expect(w.sigma[15]).toBeCloseTo(scaledSigmoid(-0.5), 12);
  });
});
