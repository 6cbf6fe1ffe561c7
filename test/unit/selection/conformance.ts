import { describe, expect, it } from "vitest";
import type { OriginEntry, PickerFactory, PickRequest } from "../../../src/routing/selection/types.js";
import { idle, loadView, origins, seeded, type LoadFigures } from "./fixtures.js";

/**
 * The laws every selection algorithm keeps (STYLE.md rule 1), whatever its policy.
 * Each algorithm's test file calls this once, then adds the laws of its own.
 */
export function runPickerConformance(name: string, factory: PickerFactory): void {
  const weights = [1, 3, 0.5, 10, 2, 1, 7, 1, 0.25, 4, 1, 2];
  const pool = origins(weights);
  const ids = pool.map((o) => o.id);
  const variedLoad: Record<string, LoadFigures> = {};
  pool.forEach((o, i) => (variedLoad[o.id] = { outstanding: i % 4, latencyMs: 5 + ((i * 37) % 90), errorRate: i === 3 ? 0.2 : 0, rps: i * 10 }));

  /** Requests with a mix of keys and exclusion sets, drawn from `rnd`. */
  function requests(rnd: () => number, count: number, excludeUpTo: number): PickRequest[] {
    return Array.from({ length: count }, (_, k) => {
      const exclude = new Set<string>();
      const m = Math.floor(rnd() * (excludeUpTo + 1));
      while (exclude.size < m) exclude.add(ids[Math.floor(rnd() * ids.length)]!);
      return { random: rnd, key: k % 3 === 0 ? undefined : `client-${Math.floor(rnd() * 500)}`, exclude };
    });
  }

  describe(`${name}: picker conformance`, () => {
    it("returns undefined for an empty snapshot", () => {
      expect(factory([], idle).pick({ random: seeded(1) })).toBeUndefined();
    });

    it("always returns the only origin of a one-origin pool, and undefined once it is excluded", () => {
      const only = origins([3]);
      const picker = factory(only, idle);
      const rnd = seeded(2);
      for (let k = 0; k < 50; k++) expect(picker.pick({ random: rnd, key: `k${k}` })).toBe(only[0]);
      expect(picker.pick({ random: rnd, exclude: new Set(["o0"]) })).toBeUndefined();
    });

    it("returns an entry of the snapshot itself and never an excluded one", () => {
      const picker = factory(pool, loadView(variedLoad, new Set(ids)));
      const rnd = seeded(3);
      for (const req of requests(rnd, 3000, ids.length - 1)) {
        const got = picker.pick(req);
        expect(got).toBeDefined();
        expect(pool).toContain(got);
        expect(req.exclude?.has(got!.id)).toBe(false);
      }
    });

    it("returns undefined only when every origin is excluded", () => {
      const picker = factory(pool, loadView(variedLoad));
      const rnd = seeded(4);
      expect(picker.pick({ random: rnd, exclude: new Set(ids) })).toBeUndefined();
      expect(picker.pick({ random: rnd, key: "k", exclude: new Set([...ids, "elsewhere"]) })).toBeUndefined();
      for (const survivor of pool) {
        const exclude = new Set([...ids.filter((id) => id !== survivor.id), "not-in-this-pool"]);
        for (let k = 0; k < 5; k++) expect(picker.pick({ random: rnd, key: `key-${k}`, exclude })).toBe(survivor);
      }
    });

    it("ignores excluded ids that are not in the snapshot", () => {
      const picker = factory(pool, idle);
      const rnd = seeded(5);
      for (let k = 0; k < 200; k++) {
        expect(pool).toContain(picker.pick({ random: rnd, key: `c${k}`, exclude: new Set(["x", "y", "z"]) }));
      }
    });

    it("is deterministic given the same snapshot and random source", () => {
      const run = (): string[] => {
        const picker = factory(pool, loadView(variedLoad));
        return requests(seeded(6), 800, 4).map((r) => picker.pick(r)?.id ?? "none");
      };
      expect(run()).toEqual(run());
    });

    it("answers synchronously and leaves the snapshot untouched", () => {
      const frozen = Object.freeze(pool.map((o) => Object.freeze({ ...o })));
      const picker = factory(frozen, loadView(variedLoad));
      const got: unknown = picker.pick({ random: seeded(7), key: "k" });
      expect(got instanceof Promise).toBe(false);
      expect(typeof (got as { then?: unknown }).then).toBe("undefined");
      expect(frozen.map((o) => o.id)).toEqual(ids);
    });

    it("reaches every origin of an idle pool", () => {
      const picker = factory(pool, idle);
      const rnd = seeded(8);
      const seen = new Set<string>();
      for (let k = 0; k < 6000; k++) seen.add(picker.pick({ random: rnd, key: `user-${k}` })!.id);
      expect([...seen].sort()).toEqual([...ids].sort());
    });

    it("copes with degenerate random sources (always 0, always just below 1)", () => {
      for (const r of [0, 1 - 2 ** -53]) {
        const picker = factory(pool, loadView(variedLoad));
        for (let k = 0; k < 50; k++) {
          const exclude = new Set(ids.slice(0, k % ids.length));
          const got = picker.pick({ random: () => r, exclude });
          expect(got).toBeDefined();
          expect(exclude.has(got!.id)).toBe(false);
        }
      }
    });

    it("handles extreme weights and a 10,000-origin pool", () => {
      const extreme = origins([0.001, 1000, 0.5, 1]);
      const p = factory(extreme, idle);
      const rnd = seeded(9);
      for (let k = 0; k < 100; k++) expect(extreme).toContain(p.pick({ random: rnd, key: `e${k}` }));
      const big: OriginEntry[] = origins(Array.from({ length: 10_000 }, (_, i) => 1 + (i % 7)));
      const bp = factory(big, idle);
      const exclude = new Set(big.slice(0, 9_990).map((o) => o.id));
      for (let k = 0; k < 100; k++) {
        const got = bp.pick({ random: rnd, key: `b${k}`, exclude });
        expect(got).toBeDefined();
        expect(exclude.has(got!.id)).toBe(false);
      }
    });
  });
}
