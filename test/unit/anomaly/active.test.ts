import { describe, expect, it } from "vitest";
import { activeAnomaly, scalingPermission } from "../../../src/scheduler/anomaly/active.js";
import type { AnomalyFlag } from "../../../src/scheduler/anomaly/types.js";

const STEP = 300_000;
const flag = (index: number, lastIndex: number, direction: "up" | "down"): AnomalyFlag => ({
  index, t: index * STEP, kind: "level_shift", direction, score: 0.7, reason: `level_shift ${direction}: r`, lastIndex,
});

describe("active anomaly and scaling permission", () => {
  it("an event is active while it still covers the newest step, since its one flag", () => {
    const a = activeAnomaly([flag(2, 4, "up"), flag(10, 14, "up")], 14, STEP);
    expect(a?.since).toBe(10 * STEP);
    expect(a?.sustainedMs).toBe(5 * STEP);
    expect(activeAnomaly([flag(10, 13, "up")], 14, STEP)).toBeNull();
    expect(activeAnomaly([], 14, STEP)).toBeNull();
  });

  it("never scales in while flagged; scales out only on a sustained upward anomaly", () => {
    expect(scalingPermission(null)).toMatchObject({ scaleIn: true, scaleOut: true });
    const sustainedUp = activeAnomaly([flag(10, 13, "up")], 13, STEP); // 4 steps = 20 min
    expect(scalingPermission(sustainedUp)).toMatchObject({ scaleIn: false, scaleOut: true });
    const briefUp = activeAnomaly([flag(13, 13, "up")], 13, STEP);
    expect(scalingPermission(briefUp)).toMatchObject({ scaleIn: false, scaleOut: false });
    const down = activeAnomaly([flag(1, 13, "down")], 13, STEP);
    expect(scalingPermission(down)).toMatchObject({ scaleIn: false, scaleOut: false });
    expect(scalingPermission(down).reason).toMatch(/downward level_shift: holding capacity/);
  });

  it("still reads a chain of one-step flags without lastIndex", () => {
    const old = (index: number): AnomalyFlag => ({ index, t: index * STEP, kind: "spike", direction: "up", score: 0.6, reason: "spike: r" });
    expect(activeAnomaly([old(3), old(5), old(6)], 6, STEP)?.sustainedMs).toBe(2 * STEP);
  });
});
