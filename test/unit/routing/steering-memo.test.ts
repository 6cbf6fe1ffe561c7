import { describe, expect, it } from "vitest";
import type { SteeringPolicy } from "../../../src/config/schema";
import { SteeringMemo } from "../../../src/routing/steering/memo";

describe("SteeringMemo: a returning client's pool order", () => {
  const tableA = {};
  const tableB = {};

  it("is kept per geo object and table for the policies that depend on place alone", () => {
    for (const policy of ["proximity", "geo", "failover"] as const) {
      const memo = new SteeringMemo();
      const geo = { country: "DE" };
      expect(memo.get(policy, geo, tableA), policy).toBeUndefined();
      const order = ["eu-west", "us-east"];
      memo.remember(policy, geo, tableA, order);
      expect(memo.get(policy, geo, tableA), policy).toBe(order);
      // An equal but different object is another client (or a fresh read): not a hit.
      expect(memo.get(policy, { country: "DE" }, tableA), policy).toBeUndefined();
      expect(memo.stats).toEqual({ hits: 1, misses: 2 });
    }
  });

  it("is not used under another routing table (a new config)", () => {
    const memo = new SteeringMemo();
    const geo = { country: "DE" };
    memo.remember("proximity", geo, tableA, ["eu-west"]);
    expect(memo.get("proximity", geo, tableB)).toBeUndefined();
    memo.remember("proximity", geo, tableB, ["us-east"]);
    expect(memo.get("proximity", geo, tableB)).toEqual(["us-east"]);
    expect(memo.get("proximity", geo, tableA)).toBeUndefined();
  });

  it("is never kept for policies that read live load or draw at random", () => {
    for (const policy of ["random", "least_outstanding", "dynamic_latency"] satisfies SteeringPolicy[]) {
      const memo = new SteeringMemo();
      const geo = { country: "DE" };
      memo.remember(policy, geo, tableA, ["eu-west"]);
      expect(memo.get(policy, geo, tableA), policy).toBeUndefined();
      // Not counted as a miss either: the lookup is not attempted.
      expect(memo.stats, policy).toEqual({ hits: 0, misses: 0 });
    }
  });
});
