import { describe, expect, it } from "vitest";
import { initialHealth, matchesExpected, nextHealth } from "../../../src/health/monitor";
import { probeOrigin } from "../../../src/health/probe";

const cfg = { consecutive_up: 2, consecutive_down: 3 };

describe("health monitor state", () => {
  it("goes down only after consecutive_down failures in a row, and up after consecutive_up passes", () => {
    let s = initialHealth(0);
    const seq: [boolean, boolean][] = [
      [false, true], [false, true], [true, true], // a pass resets the down streak
      [false, true], [false, true], [false, false], // third failure in a row: down
      [true, false], [false, false], [true, false], [true, true], // two passes in a row: up
    ];
    seq.forEach(([passed, healthyAfter], i) => {
      s = nextHealth(s, passed, cfg, i + 1);
      expect(s.healthy, `step ${i}`).toBe(healthyAfter);
    });
    expect(s.since).toBe(10);
  });

  it("matches expected codes by class and by code", () => {
    expect(matchesExpected(204, "2xx")).toBe(true);
    expect(matchesExpected(301, "2xx")).toBe(false);
    expect(matchesExpected(301, "200, 301")).toBe(true);
    expect(matchesExpected(302, "200,3xx")).toBe(true);
    expect(matchesExpected(500, "2xx,3xx")).toBe(false);
  });
});

describe("probeOrigin", () => {
  const health = { path: "/healthz", interval_s: 30, timeout_ms: 2000, expected_codes: "2xx", consecutive_up: 2, consecutive_down: 2 };
  const origin = { id: "o", url: "https://o.example/base/", weight: 1, enabled: true, host_header: "app.example" };
  let timer: (() => void) | undefined;
  const deps = (fetch: (u: string, i: RequestInit) => Promise<Response>) => ({
    fetch,
    now: () => 0,
    setTimer: (fn: () => void) => ((timer = fn), () => (timer = undefined)),
  });

  it("GETs the health path under the origin's base path; in production with its Host override", async () => {
    const seen: { url: string; resolveOverride: string | undefined }[] = [];
    const record = async (url: string, init: RequestInit) => {
      seen.push({ url, resolveOverride: (init as RequestInit<RequestInitCfProperties>).cf?.resolveOverride });
      return new Response("ok");
    };
    const r = await probeOrigin(origin, health, deps(record));
    await probeOrigin(origin, health, { ...deps(record), production: true });
    expect(seen).toEqual([
      { url: "https://o.example/base/healthz", resolveOverride: undefined },
      { url: "https://app.example/base/healthz", resolveOverride: "o.example" },
    ]);
    expect(r).toMatchObject({ passed: true, status: 200, error: null });
  });

  it("fails on an unexpected status, a connect error, and a timeout, saying which", async () => {
    expect((await probeOrigin(origin, health, deps(async () => new Response("", { status: 503 })))).error).toBe("status 503 not in 2xx");
    expect((await probeOrigin(origin, health, deps(async () => Promise.reject(new Error("refused"))))).error).toBe("connect: refused");
    const hung = probeOrigin(origin, health, deps((_u, init) => new Promise((_r, reject) => init.signal?.addEventListener("abort", () => reject(new Error("aborted"))))));
    timer?.();
    expect(await hung).toMatchObject({ passed: false, status: null, error: "timeout" });
  });
});
