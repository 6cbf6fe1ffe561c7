import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { guardedEnv } from "../../src/db/guard";
import { edgeRuntime } from "../../src/edge/runtime";
import { makeRuntime } from "../../src/edge/wiring";
import type { Env } from "../../src/env";
import { ADMIN, type Echo, edge, putConfigOk } from "./edge";
import { origin, withKnobs } from "./origins";

/**
 * Security and fail-static behaviour through the worker's real entry (development mode, as
 * the runtime pool runs); the production-mode wire tests are test/e2e/security.test.ts.
 */

let url = "";
beforeAll(async () => {
  url = await origin("sec-1", "us-east");
});
const config = (debug = false) => ({ debug_headers: debug, steering: { policy: "failover" as const }, pools: [{ id: "p", origins: [{ id: "sec-1", url }] }] });

describe("internal headers (development)", () => {
  it("reads x-edge-geo, then strips it and every other x-edge-* field; drops Host; Connection cannot remove cf-* or forwarding fields", async () => {
    await putConfigOk(config());
    const res = await edge("/h", {
      headers: {
        "x-edge-pool": "evil",
        "x-edge-origin": "evil",
        "x-edge-attempts": "9",
        "x-edge-anything": "1",
        "cf-connecting-ip": "203.0.113.77",
        "cf-ipcountry": "DE",
        "x-forwarded-for": "198.51.100.1",
        connection: "keep-alive, cf-connecting-ip, cf-ipcountry, x-forwarded-for, forwarded, x-drop",
        "x-drop": "1",
      },
      geo: "country=DE; continent=EU; lat=50.1; lon=8.6; colo=FRA",
    });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    for (const name of Object.keys(echo.headers)) expect(name.startsWith("x-edge-"), name).toBe(false);
    expect(echo.headers["x-drop"]).toBeUndefined();
    expect(echo.headers["cf-ipcountry"]).toBe("DE");
    expect(echo.headers["x-forwarded-for"]).toBe("198.51.100.1, 203.0.113.77");
    expect(echo.headers["host"]).toBe(new URL(url).host);
  });

  it("origin-set x-edge-* answers reach the client only with debug headers on", async () => {
    await withKnobs(["sec-1"], { headers: { "x-edge-origin": "spoofed", "x-edge-secret": "s" } }, async () => {
      await putConfigOk(config(false));
      const off = await edge("/r");
      expect(off.headers.get("x-edge-origin")).toBeNull();
      expect(off.headers.get("x-edge-secret")).toBeNull();
      await putConfigOk(config(true));
      const on = await edge("/r");
      expect(on.headers.get("x-edge-origin")).toBe("sec-1");
    });
  });
});

describe("request limits", () => {
  it("414, 431 and 413 with JSON bodies, on the data and the control plane", async () => {
    await putConfigOk(config());
    const long = await edge(`/x?${"a".repeat(9000)}`);
    expect(long.status).toBe(414);
    expect(((await long.json()) as { error: string }).error).toBe("uri_too_long");
    const big = await edge("/x", { headers: { "x-big": "a".repeat(17_000) } });
    expect(big.status).toBe(431);
    const body = await edge("/_edge/api/config", { method: "PUT", headers: { ...ADMIN, "content-type": "application/json" }, body: "x".repeat(1_100_000) });
    expect(body.status).toBe(413);
    expect(((await body.json()) as { error: string }).error).toBe("body_too_large");
  });
});

describe("AuthGuard", () => {
  const from = (ip: string, token: string) => edge("/_edge/api/status", { headers: { authorization: `Bearer ${token}`, "cf-connecting-ip": ip } });

  it("429 with Retry-After after 10 failures from one address, even for the right token; other addresses unaffected", async () => {
    const ip = "198.51.100.201";
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await from(ip, `wrong-${i}`)).status);
    expect(statuses.slice(0, 9)).toEqual(new Array(9).fill(401));
    expect(statuses[9]).toBe(429);
    const locked = await from(ip, "test-admin-token");
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThanOrEqual(59);
    expect((await from("198.51.100.202", "test-admin-token")).status).toBe(200);
    // The count lives in the object named by the address, in SQLite.
    const stub = env.AUTH_GUARD!.get(env.AUTH_GUARD!.idFromName(ip));
    await runInDurableObject(stub, (_obj, state) => {
      const rows = state.storage.sql.exec<{ blocked_until: number; lockouts: number }>("SELECT blocked_until, lockouts FROM guard").toArray();
      expect(rows[0]?.lockouts).toBe(1);
      expect(rows[0]!.blocked_until).toBeGreaterThan(Date.now());
    });
    expect((await stub.status()).blocked).toBe(true);
  });
});


describe("AuthGuard and credential-less requests", () => {
  it("a request that presents no credential is refused without counting (the dashboard's first probe); a wrong one counts", async () => {
    const ip = "198.51.100.203";
    const bare = () => edge("/_edge/api/status", { headers: { "cf-connecting-ip": ip } });
    for (let i = 0; i < 15; i++) expect((await bare()).status).toBe(401);
    expect((await edge("/_edge/api/status", { headers: { authorization: "Bearer test-admin-token", "cf-connecting-ip": ip } })).status).toBe(200);
    const stub = env.AUTH_GUARD!.get(env.AUTH_GUARD!.idFromName(ip));
    expect((await stub.status()).blocked).toBe(false);
  });
});

/** A D1 binding that can be taken down (rejects) or made slow (never answers). */
function switchableD1(real: D1Database) {
  const box = { mode: "up" as "up" | "down" | "slow" };
  const broken = (): Promise<never> => (box.mode === "down" ? Promise.reject(new Error("D1_ERROR: Network connection lost.")) : new Promise<never>(() => undefined));
  const stmt = (): D1PreparedStatement => {
    const s = { bind: () => s, all: broken, raw: broken, run: broken, first: broken };
    return s as unknown as D1PreparedStatement;
  };
  const db = {
    prepare: (sql: string) => (box.mode === "up" ? real.prepare(sql) : stmt()),
    batch: (stmts: D1PreparedStatement[]) => (box.mode === "up" ? real.batch(stmts) : broken()),
    exec: (sql: string) => (box.mode === "up" ? real.exec(sql) : broken()),
  };
  return { box, db: db as unknown as D1Database };
}

describe("D1 down or slow: fail static", () => {
  it("routing continues on the cached config, the control API answers 503 store_unavailable, telemetry counts what it drops", async () => {
    const { box, db } = switchableD1(env.DB);
    const fenv = Object.assign(Object.create(env) as Env, { DB: db, CONFIG_REFRESH_MS: "0", D1_TIMEOUT_MS: "150", TELEMETRY_FLUSH_MS: "1000" });
    const call = async (path: string, init?: RequestInit) => {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(`http://edge.test${path}`, init) as Request<unknown, IncomingRequestCfProperties>, fenv, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const put = await call("/_edge/api/config", { method: "PUT", headers: { ...ADMIN, "content-type": "application/json" }, body: JSON.stringify(config()) });
    expect(put.status).toBe(200);
    expect((await call("/a")).status).toBe(200);
    for (const mode of ["down", "slow"] as const) {
      box.mode = mode;
      // Not waiting on the context: the telemetry flush timer it holds runs for seconds.
      for (let i = 0; i < 3; i++) expect((await worker.fetch(new Request(`http://edge.test/b${i}`) as Request<unknown, IncomingRequestCfProperties>, fenv, createExecutionContext())).status, `${mode} data plane`).toBe(200);
      const started = Date.now();
      const api = await call("/_edge/api/config", { headers: ADMIN });
      expect(api.status, `${mode} control plane`).toBe(503);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(((await api.json()) as { error: string }).error).toBe("store_unavailable");
      expect(api.headers.get("retry-after")).toBe("5");
      expect((await call("/_edge/health")).status).toBe(200);
    }
    box.mode = "down";
    const rt = edgeRuntime(guardedEnv(fenv, { timeoutMs: 150, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }), makeRuntime);
    await rt.telemetry.flushNow(rt.env.DB);
    await worker.fetch(new Request("http://edge.test/c") as Request<unknown, IncomingRequestCfProperties>, fenv, createExecutionContext());
    await rt.telemetry.flushNow(rt.env.DB);
    const t = rt.telemetry.stats().telemetry as { failedFlushes: number; droppedRequests: number };
    expect(t.failedFlushes).toBeGreaterThanOrEqual(2);
    expect(t.droppedRequests).toBeGreaterThan(0);
    box.mode = "up";
    expect((await call("/_edge/api/config", { headers: ADMIN })).status).toBe(200);
  });
});

describe("ENVIRONMENT", () => {
  it.each(["prod", "Production", "test"])("%j answers 503 misconfigured on every path, never development behaviour", async (v) => {
    const bad = Object.assign(Object.create(env) as Env, { ENVIRONMENT: v });
    for (const path of ["/x", "/_edge/health", "/_edge/api/status"]) {
      const req = new Request(`http://edge.test${path}`, { headers: { "x-edge-geo": "country=DE" } }) as Request<unknown, IncomingRequestCfProperties>;
      const res = await worker.fetch(req, bad, createExecutionContext());
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe("misconfigured");
      expect(body.message).toContain("ENVIRONMENT");
    }
  });
});
