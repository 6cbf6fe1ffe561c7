import { describe, expect, it } from "vitest";
import { loadNab } from "../../../bench/nab/data.js";
import { scoreRows } from "../../../src/scheduler/anomaly/detector.js";

const nab = loadNab();

describe("the detector on the NAB files (bench/data)", () => {
  it("is causal on a real file: every score before the cut equals the full run's, exactly", () => {
    const f = nab.find((x) => x.name === "realKnownCause/rogue_agent_key_updown.csv");
    if (!f) throw new Error("missing NAB file");
    expect(f.season).toBe(288);
    const full = scoreRows(f.values, { season: f.season }).map((v) => v.score);
    for (const cut of [500, 2345, 4000]) {
      const prefix = scoreRows(f.values.slice(0, cut), { season: f.season }).map((v) => v.score);
      expect(prefix).toEqual(full.slice(0, cut));
    }
  });

  it("flags at most 0.1% of the rows of the five artificialNoAnomaly files", () => {
    const files = nab.filter((x) => x.name.startsWith("artificialNoAnomaly/"));
    expect(files).toHaveLength(5);
    let rows = 0;
    let flagged = 0;
    for (const f of files) {
      const v = scoreRows(f.values, { season: f.season });
      rows += v.length;
      flagged += v.filter((r) => r.score >= 0.5).length;
    }
    expect(flagged / rows).toBeLessThanOrEqual(0.001);
  });
});
