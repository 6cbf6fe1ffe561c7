import { describe, expect, it } from "vitest";
import {
  DEFAULTS,
  LIMITS,
  PLACES,
  TrafficOptionError,
  assertLoopback,
  countryMix,
  createLimiter,
  createSchedule,
  diurnal,
  formatSummary,
  parseDuration,
  rateAt,
  resolveTrafficOptions,
  startTraffic,
  type TrafficRun,
} from "../../../scripts/lib/traffic.mjs";
import { geoFromHeader } from "../../../src/routing/geo";

const HOUR = 3_600_000;
const at = (utcHour: number) => Date.UTC(2026, 5, 1) + utcHour * HOUR;
const share = (utcHour: number, continents: string[]) =>
  countryMix(at(utcHour))
    .filter((m) => continents.includes(m.continent))
    .reduce((s, m) => s + m.share, 0);

/** A fake clock whose sleep advances time; aborts the run once `endMs` of fake time passed. */
function fakeRun(endMs: number, over: Partial<TrafficRun> & { stallEvery?: number } = {}) {
  let t = 1_000_000;
  const start = t;
  const ac = new AbortController();
  const fired: number[] = [];
  let sleeps = 0;
  const run = startTraffic({
    target: "http://127.0.0.1:8787",
    simStartUtcMs: at(12),
    now: () => t,
    sleep: async (ms) => {
      // Let the answers already due settle first, as they would during a real wait.
      await new Promise((r) => setImmediate(r));
      t += ms + (over.stallEvery && ++sleeps % over.stallEvery === 0 ? 5_000 : 0);
      if (t - start >= endMs) ac.abort();
    },
    fetch: async () => {
      fired.push(t);
      return { status: 200 };
    },
    signal: ac.signal,
    ...over,
  });
  return { run, fired };
}

describe("the country mix", () => {
  it("follows local time: Europe outweighs Asia-Pacific in the European evening, and the reverse in the Asian evening", () => {
    // 18:00 UTC is 19:00 in Frankfurt and 03:00 in Tokyo; 11:00 UTC is 20:00 in Tokyo and noon in Frankfurt.
    expect(share(18, ["EU"])).toBeGreaterThan(2 * share(18, ["AS", "OC"]));
    expect(share(11, ["AS", "OC"])).toBeGreaterThan(share(11, ["EU"]));
    // The US (UTC-5) peaks at 01:00 UTC (20:00 local) and is near its trough at 09:00 UTC (04:00 local).
    const us = (h: number) => countryMix(at(h)).find((m) => m.country === "US")!.share;
    expect(us(1)).toBeGreaterThan(2 * us(9));
  });

  it("has about ten countries on every inhabited continent, shares summing to 1 at every hour", () => {
    expect(PLACES.length).toBeGreaterThanOrEqual(10);
    expect(new Set(PLACES.map((p) => p.continent))).toEqual(new Set(["NA", "SA", "EU", "AF", "AS", "OC"]));
    for (let h = 0; h < 24; h += 0.5) {
      const mix = countryMix(at(h));
      expect(mix.reduce((s, m) => s + m.share, 0)).toBeCloseTo(1, 9);
      for (const m of mix) expect(m.share).toBeGreaterThan(0);
    }
  });

  it("peaks in the local evening and bottoms out before dawn", () => {
    const hours = Array.from({ length: 96 }, (_, i) => i / 4);
    const peak = hours.reduce((a, b) => (diurnal(b) > diurnal(a) ? b : a));
    const trough = hours.reduce((a, b) => (diurnal(b) < diurnal(a) ? b : a));
    expect(peak).toBeGreaterThanOrEqual(17);
    expect(peak).toBeLessThanOrEqual(22);
    expect(trough).toBeGreaterThanOrEqual(2);
    expect(trough).toBeLessThanOrEqual(6);
    expect(diurnal(24 + 20)).toBe(diurnal(20));
  });

  it("sends each place's realistic geo, which the edge's own parser reads back", () => {
    const s = createSchedule({ seed: 7, startMs: 0, simStartUtcMs: at(0), dayMs: DEFAULTS.dayMs, peakRps: 20 });
    for (let i = 0; i < 50; i++) {
      const r = s.next();
      const g = geoFromHeader(r.headers["x-edge-geo"]!);
      expect(g).toEqual({ country: r.place.country, continent: r.place.continent, lat: r.place.lat, lon: r.place.lon, colo: r.place.colo });
    }
    const de = PLACES.find((p) => p.country === "DE")!;
    expect(de.lat).toBeCloseTo(50.1, 0);
    expect(de.lon).toBeCloseTo(8.7, 0);
  });
});

describe("the rate", () => {
  it("reaches the peak at the busiest minute and never exceeds it", () => {
    let max = 0;
    for (let m = 0; m < 1440; m++) max = Math.max(max, rateAt(at(0) + m * 60_000, 20));
    expect(max).toBeCloseTo(20, 6);
    expect(rateAt(at(9), 20)).toBeLessThan(20);
  });

  it.each([0, 37])("never sends more than peakRps in any one-second window (loop stalls 5 s every %i sleeps)", async (stallEvery) => {
    const { run, fired } = fakeRun(120_000, { peakRps: 20, stallEvery });
    const s = await run.done;
    expect(s.sent).toBeGreaterThan(stallEvery ? 300 : 1000);
    // 21 requests in under a second would be over the cap.
    for (let i = 20; i < fired.length; i++) expect(fired[i]! - fired[i - 20]!).toBeGreaterThanOrEqual(1000);
  });

  it("holds the hard cap at the highest allowed peak", async () => {
    const { run, fired } = fakeRun(30_000, { peakRps: LIMITS.maxRps, concurrency: LIMITS.maxConcurrency });
    await run.done;
    expect(fired.length).toBeGreaterThan(1000);
    for (let i = LIMITS.maxRps; i < fired.length; i++) expect(fired[i]! - fired[i - LIMITS.maxRps]!).toBeGreaterThanOrEqual(1000);
  });

  it("spaces a schedule's arrivals by at least 1/peakRps, and a day passes in dayMs", () => {
    const s = createSchedule({ seed: 3, startMs: 0, simStartUtcMs: at(0), dayMs: 600_000, peakRps: 50 });
    let prev = s.next();
    let n = 0;
    while (prev.atMs < 600_000) {
      const r = s.next();
      expect(r.atMs - prev.atMs).toBeGreaterThanOrEqual(1000 / 50 - 1e-9);
      prev = r;
      n++;
    }
    expect(prev.simUtcMs - at(0)).toBeGreaterThanOrEqual(24 * HOUR);
    expect(prev.simUtcMs - at(0)).toBeLessThan(24 * HOUR + 60_000);
    // Mean rate over the day is well under the peak but not trivially small.
    expect(n / 600).toBeGreaterThan(15);
    expect(n / 600).toBeLessThan(50);
  });

  it("a limiter admits at most `limit` in any window", () => {
    const l = createLimiter(3, 1000);
    expect([0, 1, 2, 3].map((t) => l.tryAcquire(t))).toEqual([true, true, true, false]);
    expect(l.tryAcquire(999)).toBe(false);
    expect(l.tryAcquire(1000)).toBe(true);
  });
});

describe("the schedule", () => {
  it("is the same for the same seed and clock, and differs for another seed", () => {
    const opts = { seed: 42, startMs: 5, simStartUtcMs: at(3), dayMs: 60_000, peakRps: 20 };
    const take = (o: typeof opts) => {
      const s = createSchedule(o);
      return Array.from({ length: 300 }, () => s.next());
    };
    expect(take(opts)).toEqual(take(opts));
    expect(take({ ...opts, seed: 43 })).not.toEqual(take(opts));
  });

  it("mixes paths and sends a few POSTs with a JSON body", () => {
    const s = createSchedule({ seed: 1, startMs: 0, simStartUtcMs: at(0), dayMs: 600_000, peakRps: 20 });
    const reqs = Array.from({ length: 2000 }, () => s.next());
    const posts = reqs.filter((r) => r.method === "POST");
    expect(posts.length / reqs.length).toBeGreaterThan(0.02);
    expect(posts.length / reqs.length).toBeLessThan(0.15);
    for (const p of posts) expect(() => JSON.parse(p.body!)).not.toThrow();
    expect(new Set(reqs.map((r) => r.path.split(/[/?]/)[1])).size).toBeGreaterThanOrEqual(4);
    expect(new Set(reqs.map((r) => r.place.country)).size).toBe(PLACES.length);
  });
});

describe("the runner", () => {
  it("keeps at most `concurrency` requests in flight, sheds the rest, and stops on abort", async () => {
    let t = 0;
    const ac = new AbortController();
    let inflight = 0;
    let max = 0;
    const run = startTraffic({
      target: "http://localhost:9",
      concurrency: 3,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
        if (t > 10_000) ac.abort();
      },
      // Never answers until aborted: a hung origin.
      fetch: (_url, init) =>
        new Promise((_resolve, reject) => {
          max = Math.max(max, ++inflight);
          init.signal?.addEventListener("abort", () => (inflight--, reject(new Error("aborted"))));
        }),
      signal: ac.signal,
    });
    const s = await run.done;
    expect(max).toBe(3);
    expect(inflight).toBe(0);
    expect(s.sent).toBe(3);
    expect(s.shed).toBeGreaterThan(50);
    expect(s.errors).toBe(0); // requests cut by the stop are not the origin's errors
  });

  it("counts 5xx answers and failed fetches as errors, per country", async () => {
    let n = 0;
    const { run } = fakeRun(20_000, {
      fetch: async () => {
        if (++n % 4 === 0) throw new Error("ECONNREFUSED");
        return { status: n % 4 === 1 ? 503 : 200 };
      },
    });
    const s = await run.done;
    expect(s.sent).toBe(n);
    expect(s.errors).toBe(Math.floor(n / 4) + Math.ceil(n / 4));
    expect(s.ok + s.errors).toBe(s.sent);
    expect(Object.values(s.byCountry).reduce((a, b) => a + b, 0)).toBe(s.sent);
    expect(formatSummary(undefined, s, 30_000)).toMatch(new RegExp(`^traffic: ${s.sent} requests in 30 s, ${s.errors} errors, \\d+ countries`));
  });

  it("fires nothing once the signal is already aborted", async () => {
    const ac = new AbortController();
    ac.abort();
    let calls = 0;
    const run = startTraffic({ target: "http://127.0.0.1:1", now: () => 0, sleep: async () => {}, fetch: async () => (calls++, { status: 200 }), signal: ac.signal });
    expect((await run.done).sent).toBe(0);
    expect(calls).toBe(0);
  });
});

describe("options", () => {
  it("fills in the defaults (one day in 10 minutes, 20 req/s, 8 in flight)", () => {
    expect(resolveTrafficOptions({ target: "http://127.0.0.1:8787/" })).toEqual({ target: "http://127.0.0.1:8787", dayMs: 600_000, peakRps: 20, concurrency: 8, seed: 1 });
  });

  it.each([
    [{ peakRps: 0 }, /peakRps must be a number from 0.1 to 200, got 0/],
    [{ peakRps: LIMITS.maxRps + 1 }, /peakRps must be a number from 0.1 to 200, got 201/],
    [{ peakRps: Number.NaN }, /peakRps/],
    [{ peakRps: "20" }, /peakRps must be a number/],
    [{ concurrency: 65 }, /concurrency must be a whole number from 1 to 64, got 65/],
    [{ concurrency: 2.5 }, /concurrency must be a whole number/],
    [{ dayMs: 1000 }, /dayMs \(the length of a simulated day\) must be a number from 10000 to 86400000, got 1000/],
    [{ seed: -1 }, /seed/],
  ])("rejects %o with an error naming the option", (bad, message) => {
    expect(() => resolveTrafficOptions({ target: "http://127.0.0.1:8787", ...bad })).toThrow(TrafficOptionError);
    expect(() => resolveTrafficOptions({ target: "http://127.0.0.1:8787", ...bad })).toThrow(message);
  });

  it("refuses targets that are not on this machine", () => {
    for (const ok of ["http://127.0.0.1:8787", "http://127.3.4.5", "http://localhost:1", "http://[::1]:8787", "https://127.0.0.1"]) expect(assertLoopback(ok).protocol).toMatch(/^https?:$/);
    for (const bad of ["http://10.0.0.1:8787", "http://example.com", "http://127.0.0.1.nip.io", "http://0.0.0.0:8787", "http://[::ffff:8.8.8.8]", "file:///etc/passwd", "not a url", undefined]) {
      expect(() => assertLoopback(bad)).toThrow(TrafficOptionError);
    }
    expect(() => resolveTrafficOptions({ target: "http://192.168.1.10:8787" })).toThrow(/must be on this machine .* got 192.168.1.10/);
    expect(() => startTraffic({ target: "http://8.8.8.8", now: () => 0, sleep: async () => {}, fetch: async () => ({ status: 200 }) })).toThrow(TrafficOptionError);
  });

  it("parses durations and rejects anything without a unit", () => {
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(parseDuration("500ms")).toBe(500);
    for (const bad of ["10", "m", "-5m", "10 minutes", ""]) expect(() => parseDuration(bad, "--traffic-day")).toThrow(/--traffic-day must be a duration like 10m/);
  });
});
