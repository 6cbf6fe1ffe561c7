import { describe, expect, it } from "vitest";
import { GeoMemo } from "../../../src/routing/geo-memo";

/** A request stand-in that counts how often its `cf` is read (each read is a runtime parse). */
function req(cf: Record<string, unknown>) {
  const r = {
    reads: 0,
    get cf(): unknown {
      r.reads++;
      return cf;
    },
  };
  return r;
}

const FRA = { country: "DE", continent: "EU", latitude: "50.11", longitude: "8.68", colo: "FRA" };
const NYC = { country: "US", continent: "NA", latitude: "40.71", longitude: "-74.0", colo: "EWR" };

describe("GeoMemo: a returning client is steered without reading request.cf", () => {
  it("reads cf once per client address within the TTL", () => {
    let now = 1_000;
    const memo = new GeoMemo(() => now, 10, 60_000);
    const a = req(FRA);
    expect(memo.lookup("192.0.2.1", a)).toEqual({ country: "DE", continent: "EU", lat: 50.11, lon: 8.68, colo: "FRA" });
    now += 59_999;
    const again = req(NYC);
    // Same address, still fresh: the remembered geo, and the new request's cf untouched.
    expect(memo.lookup("192.0.2.1", again).country).toBe("DE");
    expect(again.reads).toBe(0);
    expect(a.reads).toBe(1);
    expect(memo.stats).toEqual({ hits: 1, misses: 1 });
  });

  it("reads cf again once the entry is a TTL old", () => {
    let now = 0;
    const memo = new GeoMemo(() => now, 10, 60_000);
    memo.lookup("192.0.2.1", req(FRA));
    now = 60_000;
    const later = req(NYC);
    expect(memo.lookup("192.0.2.1", later).country).toBe("US");
    expect(later.reads).toBe(1);
    expect(memo.size).toBe(1);
  });

  it("keeps clients apart", () => {
    const memo = new GeoMemo(() => 0);
    memo.lookup("192.0.2.1", req(FRA));
    expect(memo.lookup("2001:db8::1", req(NYC)).colo).toBe("EWR");
    expect(memo.lookup("192.0.2.1", req(NYC)).colo).toBe("FRA");
  });

  it("never remembers a request without a client address", () => {
    const memo = new GeoMemo(() => 0);
    const a = req(FRA);
    const b = req(NYC);
    expect(memo.lookup(undefined, a).country).toBe("DE");
    expect(memo.lookup(undefined, b).country).toBe("US");
    expect([a.reads, b.reads, memo.size]).toEqual([1, 1, 0]);
  });

  it("size 0 remembers nothing", () => {
    const memo = new GeoMemo(() => 0, 0);
    const a = req(FRA);
    memo.lookup("192.0.2.1", a);
    memo.lookup("192.0.2.1", a);
    expect([a.reads, memo.size]).toEqual([2, 0]);
  });

  it("stays within its size, dropping the entry read from cf longest ago", () => {
    let now = 0;
    const memo = new GeoMemo(() => now, 3, 1_000);
    for (const ip of ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) memo.lookup(ip, req(FRA));
    // 10.0.0.1 expires and is read afresh: it becomes the newest entry.
    now = 1_000;
    memo.lookup("10.0.0.1", req(FRA));
    memo.lookup("10.0.0.4", req(NYC));
    expect(memo.size).toBe(3);
    // 10.0.0.2 was the oldest read, so it went; 10.0.0.1 survived.
    const two = req(NYC);
    memo.lookup("10.0.0.2", two);
    expect(two.reads).toBe(1);
    now = 1_500;
    const one = req(NYC);
    expect(memo.lookup("10.0.0.4", one).country).toBe("US");
    const first = req(NYC);
    expect(memo.lookup("10.0.0.1", first).country).toBe("DE");
    expect([one.reads, first.reads]).toEqual([0, 0]);
  });
});

describe("GeoMemo.shares", () => {
  it("is true for an address while the memo is on, so lookup() answers one object per client", () => {
    const memo = new GeoMemo(() => 0, 10, 60_000);
    expect(memo.shares("192.0.2.1")).toBe(true);
    expect(memo.lookup("192.0.2.1", req(FRA))).toBe(memo.lookup("192.0.2.1", req(FRA)));
    expect(memo.shares(undefined)).toBe(false);
    const off = new GeoMemo(() => 0, 0, 60_000);
    expect(off.shares("192.0.2.1")).toBe(false);
    expect(off.lookup("192.0.2.1", req(FRA))).not.toBe(off.lookup("192.0.2.1", req(FRA)));
  });
});
