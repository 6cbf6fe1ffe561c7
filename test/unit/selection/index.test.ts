import { describe, expect, it } from "vitest";
import { SELECTION_ALGORITHMS } from "../../../src/config/schema.js";
import { PICKERS } from "../../../src/routing/selection/index.js";
import { idle, origins, seeded } from "./fixtures.js";

describe("PICKERS", () => {
  it("has a factory for exactly the algorithms the config schema allows", () => {
    expect(Object.keys(PICKERS).sort()).toEqual([...SELECTION_ALGORITHMS].sort());
    const pool = origins([1, 2]);
    for (const a of SELECTION_ALGORITHMS) expect(pool).toContain(PICKERS[a](pool, idle).pick({ random: seeded(1), key: "k" }));
  });
});
