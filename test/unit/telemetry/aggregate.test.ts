import { describe, expect, it } from "vitest";
import { Aggregate, OTHER_COUNTRY } from "../../../src/telemetry/aggregate";
import { bucketOf } from "../../../src/telemetry/histogram";
import type { RequestSample } from "../../../src/telemetry/types";

const base: RequestSample = {
  at: 1_700_000_012_345, pool: "eu", origin: "eu-1", country: "DE", colo: "FRA",
  outcome: "ok", latencyMs: 12, bytes: 100, retry: false,
};

describe("Aggregate", () => {
  it("keys by minute, pool, origin, country, colo and counts each class", () => {
    const a = new Aggregate();
    a.add(base);
    a.add({ ...base, at: base.at + 1000, outcome: "5xx", latencyMs: 300 });
    a.add({ ...base, outcome: "timeout", retry: true });
    a.add({ ...base, outcome: "connect" });
    a.add({ ...base, outcome: "4xx" });
    a.add({ ...base, at: base.at + 60_000 });
    a.add({ ...base, country: "fr" });
    expect(a.size).toBe(3);
    const cells = [...a.values()];
    const c = cells[0]!;
    expect(c.minute).toBe(1_699_999_980_000);
    expect([c.requests, c.errConnect, c.errTimeout, c.err5xx, c.err4xx, c.retries, c.bytes]).toEqual([5, 1, 1, 1, 1, 1, 500]);
    expect(c.hist[bucketOf(12)]).toBe(4);
    expect(c.hist[bucketOf(300)]).toBe(1);
    expect(cells[2]!.country).toBe("FR");
    expect(a.requestCount()).toBe(7);
  });

  it("sends each sample to its own key's cell when keys alternate, one field at a time", () => {
    const a = new Aggregate();
    const variants: RequestSample[] = [
      base,
      { ...base, at: base.at + 60_000 },
      { ...base, pool: "us" },
      { ...base, origin: "eu-2" },
      { ...base, country: "FR" },
      { ...base, colo: "CDG" },
    ];
    // Each variant differs from the base in one key; interleaving them with the base means
    // no sample finds the previous sample's cell, and repeats mean every other one does.
    for (let round = 0; round < 3; round++)
      for (const v of variants) {
        a.add(v);
        a.add(v);
        a.add(base);
      }
    expect(a.size).toBe(6);
    const byKey = new Map([...a.values()].map((c) => [`${c.minute}|${c.pool}|${c.origin}|${c.country}|${c.colo}`, c.requests]));
    expect(byKey.get(`1699999980000|eu|eu-1|DE|FRA`)).toBe(3 * 6 + 3 * 2);
    for (const key of ["1700000040000|eu|eu-1|DE|FRA", "1699999980000|us|eu-1|DE|FRA", "1699999980000|eu|eu-2|DE|FRA", "1699999980000|eu|eu-1|FR|FRA", "1699999980000|eu|eu-1|DE|CDG"])
      expect(byKey.get(key), key).toBe(6);
    expect(a.requestCount()).toBe(3 * 6 * 3);
  });

  it("clamps untrusted country and colo to short codes", () => {
    const a = new Aggregate();
    a.add({ ...base, country: "'); DROP TABLE x;--", colo: "a very long colo name" });
    const c = [...a.values()][0]!;
    expect(c.country).toBe("XX");
    expect(c.colo).toBe("UNK");
  });

  it("folds new countries into ZZ past the hard cap, still counting every sample", () => {
    const a = new Aggregate(2);
    for (const country of ["DE", "FR", "IT", "ES", "DE"]) a.add({ ...base, country });
    expect(a.size).toBe(3);
    expect(a.requestCount()).toBe(5);
    expect([...a.values()].find((c) => c.country === OTHER_COUNTRY)?.requests).toBe(2);
  });

  it("merges additively and records a lost aggregate as dropped on the same keys", () => {
    const a = new Aggregate();
    const b = new Aggregate();
    a.add(base);
    b.add(base);
    b.add({ ...base, country: "US" });
    a.merge(b);
    expect(a.requestCount()).toBe(3);
    const lost = new Aggregate();
    expect(lost.mergeAsDropped(a)).toBe(3);
    expect(lost.requestCount()).toBe(0);
    const de = [...lost.values()].find((c) => c.country === "DE")!;
    expect(de.dropped).toBe(2);
    // Dropped counts already carried are kept when the carrier is lost again.
    const again = new Aggregate();
    expect(again.mergeAsDropped(lost)).toBe(0);
    expect([...again.values()].reduce((n, c) => n + c.dropped, 0)).toBe(3);
  });
});
