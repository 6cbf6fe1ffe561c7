import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { EdgeConfigInput } from "../../src/config/schema";
import { ADMIN, type Echo, edge, GEO, putConfig, putConfigOk } from "./edge";
import { origin, originDown, originUp, setKnobs, withKnobs } from "./origins";
import { HOP_RESPONSE } from "../support/hop-by-hop";

/**
 * Through the worker's real entry against real HTTP origins on localhost: steering sends
 * clients from several countries to the expected pool, dead pools are skipped, config
 * swaps take effect without a restart.
 */

const urls: Record<string, string> = {};
beforeAll(async () => {
  for (const [id, region] of [
    ["r-us-1", "us-east"],
    ["r-us-2", "us-east"],
    ["r-eu-1", "eu-west"],
    ["r-ap-1", "ap-south"],
    ["r-dead", "dead"],
  ] as const)
    urls[id] = await origin(id, region);
});

function config(over: Partial<EdgeConfigInput> & { steering: EdgeConfigInput["steering"] }): EdgeConfigInput {
  return {
    debug_headers: true,
    pools: [
      { id: "us-east", location: { lat: 38.9, lon: -77.0 }, selection: "round_robin", origins: [{ id: "r-us-1", url: urls["r-us-1"]! }, { id: "r-us-2", url: urls["r-us-2"]! }] },
      { id: "eu-west", location: { lat: 53.35, lon: -6.26 }, selection: "round_robin", origins: [{ id: "r-eu-1", url: urls["r-eu-1"]! }] },
      { id: "ap-south", location: { lat: 1.35, lon: 103.82 }, selection: "round_robin", origins: [{ id: "r-ap-1", url: urls["r-ap-1"]! }] },
    ],
    ...over,
  };
}

/** Earlier tests fail origins on purpose; start from closed breakers where spread matters. */
async function resetBreakers(ids: string[]): Promise<void> {
  for (const id of ids) {
    const r = await edge(`/_edge/api/breakers/${id}/reset`, { method: "POST", headers: ADMIN });
    expect(r.status).toBe(200);
  }
}

async function poolFor(geo: string, path = "/"): Promise<string> {
  const res = await edge(path, { geo });
  expect(res.status).toBe(200);
  const body = (await res.json()) as Echo;
  expect(res.headers.get("x-edge-pool")).toBe(body.region);
  return body.region;
}

describe("steering through the worker", () => {
  it("proximity: each client reaches its nearest pool", async () => {
    await putConfigOk(config({ steering: { policy: "proximity" } }));
    expect(await poolFor(GEO.DE)).toBe("eu-west");
    expect(await poolFor(GEO.FR)).toBe("eu-west");
    expect(await poolFor(GEO.US)).toBe("us-east");
    expect(await poolFor(GEO.BR)).toBe("us-east");
    expect(await poolFor(GEO.JP)).toBe("ap-south");
    expect(await poolFor(GEO.SG)).toBe("ap-south");
  });

  it("request.cf: a client's geo is read once per address and reused within the minute", async () => {
    await putConfigOk(config({ steering: { policy: "proximity" } }));
    const FRA = { country: "DE", continent: "EU", latitude: "50.11", longitude: "8.68", colo: "FRA" };
    const NYC = { country: "US", continent: "NA", latitude: "40.71", longitude: "-74.0", colo: "EWR" };
    const via = async (ip: string | undefined, cf: Record<string, string>): Promise<string> => {
      const res = await edge("/", { headers: ip ? { "cf-connecting-ip": ip } : {}, cf });
      expect(res.status).toBe(200);
      return res.headers.get("x-edge-pool") ?? "";
    };
    expect(await via("203.0.113.7", FRA)).toBe("eu-west");
    // Same address: steered by what was read for it, not by this request's cf.
    expect(await via("203.0.113.7", NYC)).toBe("eu-west");
    // Another address, or none (nothing to remember it by): read from its own cf.
    expect(await via("203.0.113.8", NYC)).toBe("us-east");
    expect(await via(undefined, NYC)).toBe("us-east");
    expect(await via(undefined, FRA)).toBe("eu-west");
  });

  it("a returning client's pool order is kept with its geo, and follows a new config at once", async () => {
    const FRA = { country: "DE", continent: "EU", latitude: "50.11", longitude: "8.68", colo: "FRA" };
    const via = async (): Promise<string> => {
      const res = await edge("/", { headers: { "cf-connecting-ip": "203.0.113.20" }, cf: FRA });
      expect(res.status).toBe(200);
      return res.headers.get("x-edge-pool") ?? "";
    };
    await putConfigOk(config({ steering: { policy: "proximity" } }));
    expect(await via()).toBe("eu-west");
    expect(await via()).toBe("eu-west");
    // The same client, a new config: eu-west moved to Sydney, so us-east is now nearest.
    const moved = config({ steering: { policy: "proximity" } });
    moved.pools[1]!.location = { lat: -33.87, lon: 151.21 };
    await putConfigOk(moved);
    expect(await via()).toBe("us-east");
    // Each new config orders by its own policy, whatever was kept for the client before.
    await putConfigOk(config({ steering: { policy: "failover" } }));
    expect(await via()).toBe("us-east");
    await putConfigOk(config({ steering: { policy: "geo", fallback_pool: "us-east", geo: { DE: ["ap-south"], default: ["us-east"] } } }));
    expect(await via()).toBe("ap-south");
  });

  it("geo: country, then continent, then default", async () => {
    await putConfigOk(
      config({ steering: { policy: "geo", fallback_pool: "us-east", geo: { FR: ["ap-south"], EU: ["eu-west"], AS: ["ap-south"], default: ["us-east"] } } }),
    );
    expect(await poolFor(GEO.FR)).toBe("ap-south");
    expect(await poolFor(GEO.DE)).toBe("eu-west");
    expect(await poolFor(GEO.JP)).toBe("ap-south");
    expect(await poolFor(GEO.BR)).toBe("us-east");
    expect(await poolFor("")).toBe("us-east");
  });

  it("failover: the first pool takes everything while it is up", async () => {
    await putConfigOk(config({ steering: { policy: "failover" } }));
    for (const g of [GEO.DE, GEO.JP, GEO.US]) expect(await poolFor(g)).toBe("us-east");
  });

  it("random: pools share traffic by weight", async () => {
    const c = config({ steering: { policy: "random" } });
    c.pools[0]!.weight = 3;
    c.pools[1]!.weight = 1;
    c.pools[2]!.weight = 0;
    await putConfigOk(c);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const p = await poolFor(GEO.DE);
      counts[p] = (counts[p] ?? 0) + 1;
    }
    expect(counts["ap-south"]).toBeUndefined();
    // 200 draws at p = 0.75: mean 150, sd 6.1; 120..180 is ±4.9 sd.
    expect(counts["us-east"]).toBeGreaterThan(120);
    expect(counts["us-east"]).toBeLessThan(180);
  });

  it("least_outstanding: concurrent requests spill from a busy pool to an idle one", async () => {
    await withKnobs(["r-us-1", "r-us-2"], { latency_ms: 150 }, async () => {
      const c = config({ steering: { policy: "least_outstanding" } });
      c.pools = c.pools.slice(0, 2);
      await putConfigOk(c);
      const pools = await Promise.all(Array.from({ length: 6 }, () => edge("/", { geo: GEO.US }).then((r) => r.headers.get("x-edge-pool"))));
      // The first takes the nearest pool; after it, a request goes to us-east only while
      // us-east has no more in flight than eu-west. eu-west answers at once, so how many
      // overlap there depends on timing: us-east gets 1 to 3 (all 6 without the spill).
      const us = pools.filter((p) => p === "us-east").length;
      expect(us).toBeGreaterThanOrEqual(1);
      expect(us).toBeLessThanOrEqual(3);
      expect(pools.filter((p) => p === "eu-west").length).toBe(6 - us);
    });
  });

  it("dynamic_latency: failover order without data, then the fastest pool for the colo", async () => {
    await withKnobs(["r-us-1", "r-us-2"], { latency_ms: 120 }, async () => {
      const c = config({ steering: { policy: "dynamic_latency" } });
      c.pools = c.pools.slice(0, 2);
      await putConfigOk(c);
      const colo = "country=DE; colo=LHR";
      // First request per pool explores it; after that the fast pool wins.
      const seen: string[] = [];
      for (let i = 0; i < 6; i++) seen.push(await poolFor(colo));
      expect(seen[0]).toBe("us-east");
      expect(seen.slice(2)).toEqual(["eu-west", "eu-west", "eu-west", "eu-west"]);
    });
  });
});

describe("availability and failover", () => {
  it("skips a pool whose origins are all down and answers from the next one", async () => {
    const c = config({ steering: { policy: "failover" } });
    c.pools[0] = { id: "us-east", location: { lat: 38.9, lon: -77 }, origins: [{ id: "r-dead", url: urls["r-dead"]! }] };
    await putConfigOk(c);
    await originDown("r-dead");
    try {
      for (let i = 0; i < 5; i++) {
        const res = await edge("/x", { geo: GEO.US });
        expect(res.status).toBe(200);
        expect(((await res.json()) as Echo).region).toBe("eu-west");
      }
    } finally {
      await originUp("r-dead");
    }
  });

  it("a pool with every origin disabled is skipped without an attempt", async () => {
    const c = config({ steering: { policy: "failover" } });
    c.pools[0]!.origins = c.pools[0]!.origins.map((o) => ({ ...o, enabled: false }));
    await putConfigOk(c);
    const res = await edge("/", { geo: GEO.US });
    expect(res.headers.get("x-edge-pool")).toBe("eu-west");
    expect(res.headers.get("x-edge-attempts")).toBe("1");
  });

  it("answers 503 with Retry-After when no origin is available anywhere", async () => {
    const c = config({ steering: { policy: "failover" } });
    for (const p of c.pools) p.origins = p.origins.map((o) => ({ ...o, enabled: false }));
    await putConfigOk(c);
    const res = await edge("/", { geo: GEO.US });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ error: "no_available_origin" });
  });

  it("a failing origin's idempotent request is retried on another origin", async () => {
    await setKnobs("r-us-1", { status: 503 });
    try {
      await putConfigOk(config({ steering: { policy: "failover" } }));
      for (let i = 0; i < 4; i++) {
        const res = await edge("/", { geo: GEO.US });
        expect(res.status).toBe(200);
        expect(((await res.json()) as Echo).origin).toBe("r-us-2");
      }
    } finally {
      await setKnobs("r-us-1", { status: 0 });
    }
  });

  it("a try that outlives per_try_timeout_ms moves on, and the last one answers 504", async () => {
    const retries = { attempts: 2, per_try_timeout_ms: 200 };
    await withKnobs(["r-us-1", "r-us-2"], { latency_ms: 1500 }, async () => {
      await putConfigOk(config({ steering: { policy: "failover" }, retries }));
      const res = await edge("/", { geo: GEO.US });
      expect(res.status).toBe(200);
      // Both us-east origins timed out; the third try went on to the next pool.
      expect(res.headers.get("x-edge-attempts")).toBe("3");
      expect(((await res.json()) as Echo).region).toBe("eu-west");

      const c = config({ steering: { policy: "failover" }, retries: { attempts: 0, per_try_timeout_ms: 200 } });
      c.pools = [c.pools[0]!];
      await putConfigOk(c);
      const last = await edge("/", { geo: GEO.US });
      expect(last.status).toBe(504);
      expect(await last.json()).toMatchObject({ error: "origin_timeout" });
    });
    await resetBreakers(["r-us-1", "r-us-2"]);
  });

  it("does not retry a POST after an origin answered 503 (it may have acted on it)", async () => {
    await setKnobs("r-us-1", { status: 503 });
    await setKnobs("r-us-2", { status: 503 });
    try {
      await putConfigOk(config({ steering: { policy: "failover" } }));
      const res = await edge("/orders", { method: "POST", body: "{}", headers: { "content-type": "application/json" }, geo: GEO.US });
      expect(res.status).toBe(503);
      expect(res.headers.get("x-edge-attempts")).toBe("1");
    } finally {
      await setKnobs("r-us-1", { status: 0 });
      await setKnobs("r-us-2", { status: 0 });
    }
  });
});

describe("config hot swap", () => {
  it("a PUT takes effect on the next request, and a version written by another isolate within the refresh interval", async () => {
    await putConfigOk(config({ steering: { policy: "failover" } }));
    expect(await poolFor(GEO.US)).toBe("us-east");
    const swapped = config({ steering: { policy: "failover" } });
    swapped.pools = [swapped.pools[1]!, swapped.pools[0]!, swapped.pools[2]!];
    await putConfigOk(swapped);
    expect(await poolFor(GEO.US)).toBe("eu-west");

    // Another isolate's PUT: the row appears in D1 without touching this isolate's cache.
    const before = await edge("/_edge/api/config", { headers: ADMIN }).then((r) => r.json() as Promise<{ version: number; config: EdgeConfigInput }>);
    const third = { ...before.config, pools: [before.config.pools[2]!, ...before.config.pools.slice(0, 2)] };
    await env.DB.prepare("INSERT INTO config_versions (config, created_at, note) VALUES (?, ?, 'other isolate')").bind(JSON.stringify(third), Date.now()).run();
    // CONFIG_REFRESH_MS is 0 in tests, but the background checks run at most every 25 ms
    // of the isolate's clock (which moves with I/O): poll, bounded, until the new version serves.
    let served = "";
    for (const t0 = Date.now(); served !== "ap-south" && Date.now() - t0 < 3000; ) served = await poolFor(GEO.US);
    expect(served).toBe("ap-south");
    const health = (await (await edge("/_edge/health")).json()) as { config_version: number };
    expect(health.config_version).toBe(before.version + 1);
  });
});

describe("config API", () => {
  it("rejects an invalid config with every issue's path and stores nothing", async () => {
    const v = await putConfigOk(config({ steering: { policy: "failover" } }));
    const bad = config({ steering: { policy: "geo", fallback_pool: "nowhere", geo: { DE: ["mars"] } } });
    bad.pools[0]!.origins[1] = { id: "r-us-1", url: "ftp://x.example" };
    bad.pools[1]!.origins[0] = { id: "r-eu-1", url: urls["r-eu-1"]!, host_header: "app.example:8080" };
    const res = await putConfig(bad);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: { path: string; message: string }[] };
    expect(body.error).toBe("invalid_config");
    const paths = body.issues.map((i) => i.path);
    expect(paths).toContain("pools.0.origins.1.url");
    expect(paths).toContain("pools.0.origins.1.id");
    expect(paths).toContain("steering.fallback_pool");
    expect(paths).toContain("steering.geo.DE.0");
    expect(paths).toContain("pools.1.origins.0.host_header");
    const now = (await (await edge("/_edge/api/config", { headers: ADMIN })).json()) as { version: number };
    expect(now.version).toBe(v);
  });

  it("lists versions and rolls back by storing the old config as a new version", async () => {
    const v1 = await putConfigOk(config({ steering: { policy: "failover" } }));
    const swapped = config({ steering: { policy: "failover" } });
    swapped.pools = [swapped.pools[1]!, swapped.pools[0]!, swapped.pools[2]!];
    const v2 = await putConfigOk(swapped);
    expect(await poolFor(GEO.US)).toBe("eu-west");
    const rb = await edge(`/_edge/api/config/rollback/${v1}`, { method: "POST", headers: ADMIN });
    expect(rb.status).toBe(200);
    const { version } = (await rb.json()) as { version: number };
    expect(version).toBe(v2 + 1);
    expect(await poolFor(GEO.US)).toBe("us-east");
    const list = (await (await edge("/_edge/api/config/versions", { headers: ADMIN })).json()) as { versions: { version: number; note: string }[] };
    expect(list.versions[0]).toMatchObject({ version, note: `rollback to ${v1}` });
    expect((await edge("/_edge/api/config/rollback/99999", { method: "POST", headers: ADMIN })).status).toBe(404);
  });

  it("answers 401 with the same body for a missing or a wrong token", async () => {
    const a = await edge("/_edge/api/config");
    const b = await edge("/_edge/api/config", { headers: { authorization: "Bearer nope" } });
    const c = await edge("/_edge/api/config", { headers: { authorization: "Basic dGVzdA==" } });
    expect([a.status, b.status, c.status]).toEqual([401, 401, 401]);
    const [ta, tb, tc] = await Promise.all([a.text(), b.text(), c.text()]);
    expect(tb).toBe(ta);
    expect(tc).toBe(ta);
  });
});

describe("forwarding", () => {
  it("keeps method, path, query and body; sets forwarding headers; never forwards the geo override", async () => {
    await putConfigOk(config({ steering: { policy: "failover" } }));
    const res = await edge("/a/b%2Fc?x=1&y=2", {
      method: "PUT",
      body: "hello",
      headers: {
        "x-custom": "v",
        connection: "keep-alive, x-hop",
        "x-hop": "1",
        "keep-alive": "timeout=5",
        te: "trailers",
        trailer: "x-t",
        upgrade: "h2c",
        "proxy-authorization": "Basic abc",
        "proxy-connection": "keep-alive",
        "cf-connecting-ip": "203.0.113.7",
      },
      geo: GEO.US,
    });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo.method).toBe("PUT");
    expect(echo.path).toBe("/a/b%2Fc?x=1&y=2");
    expect(echo.body).toBe("hello");
    expect(echo.headers["x-custom"]).toBe("v");
    // Ours to drop (named in Connection, proxy-*, the override) and workerd's (the rest):
    // either way the origin must not see them.
    for (const gone of ["x-hop", "keep-alive", "te", "trailer", "upgrade", "proxy-authorization", "proxy-connection", "x-edge-geo"])
      expect(echo.headers[gone], gone).toBeUndefined();
    expect(echo.headers["x-forwarded-for"]).toBe("203.0.113.7");
    expect(echo.headers["x-forwarded-host"]).toBe("edge.test");
    expect(echo.headers["x-forwarded-proto"]).toBe("http");
    expect(echo.headers["forwarded"]).toBe('for=203.0.113.7;host="edge.test";proto=http');
  });

  it("drops the origin's hop-by-hop response fields and keeps the rest", async () => {
    await putConfigOk(config({ steering: { policy: "failover" } }));
    await withKnobs(["r-us-1", "r-us-2"], { headers: { ...HOP_RESPONSE } }, async () => {
      for (const debug of [false, true]) {
        await putConfigOk(config({ steering: { policy: "failover" }, debug_headers: debug }));
        const res = await edge("/", { geo: GEO.US });
        expect(res.status).toBe(200);
        expect(res.headers.get("x-end"), `debug ${debug}`).toBe("kept");
        // Keep-Alive and Upgrade are dropped by workerd when it writes the response to the
        // wire, which this in-process client does not see: test/e2e/wire.test.ts checks them.
        for (const gone of ["x-hop", "proxy-authenticate", "proxy-connection"])
          expect(res.headers.has(gone), `${gone}, debug ${debug}`).toBe(false);
        await res.arrayBuffer();
      }
    });
  });

  it("cannot be steered to another host by the request line", async () => {
    await putConfigOk(config({ steering: { policy: "failover" } }));
    for (const p of ["//127.0.0.1:1/x", "/@127.0.0.1:1/", "/..%2F..%2Fx", "/%2e%2e/%2e%2e/x"]) {
      const res = await edge(p, { geo: GEO.US, headers: { host: "127.0.0.1:1" } });
      expect(res.status, p).toBe(200);
      expect(((await res.json()) as Echo).region, p).toBe("us-east");
    }
  });

  it("debug headers are absent unless the config turns them on", async () => {
    await putConfigOk({ ...config({ steering: { policy: "failover" } }), debug_headers: false });
    const res = await edge("/", { geo: GEO.US });
    expect(res.status).toBe(200);
    expect(res.headers.has("x-edge-pool")).toBe(false);
    expect(res.headers.has("x-edge-origin")).toBe(false);
  });
});

describe("affinity and upgrades", () => {
  it("hash by cookie: a new client gets a session cookie and keeps its origin with it", async () => {
    const c = config({ steering: { policy: "failover" } });
    c.pools[0] = { ...c.pools[0]!, selection: "hash", affinity: { by: "cookie", name: "__edge_aff", ttl_s: 3600 } };
    // Without debug headers the origin's response (immutable headers) is rebuilt for the cookie.
    await putConfigOk({ ...c, debug_headers: false });
    const plain = await edge("/", { geo: GEO.US });
    expect(plain.headers.get("set-cookie") ?? "").toMatch(/^__edge_aff=[0-9a-f-]{36}; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(((await plain.json()) as Echo).region).toBe("us-east");
    // With them the edge has rebuilt the response already and the cookie joins it there.
    await putConfigOk(c);
    await resetBreakers(["r-us-1", "r-us-2"]);
    const first = await edge("/", { geo: GEO.US });
    const setCookie = first.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^__edge_aff=[0-9a-f-]{36}; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(first.headers.get("x-edge-attempts")).toBe("1");
    const origin1 = ((await first.json()) as Echo).origin;
    const cookie = setCookie.split(";")[0]!;
    for (let i = 0; i < 10; i++) {
      const res = await edge("/", { geo: GEO.US, headers: { cookie } });
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(((await res.json()) as Echo).origin).toBe(origin1);
    }
  });

  it("hash by header: the same key always reaches the same origin, and keys spread", async () => {
    const c = config({ steering: { policy: "failover" } });
    c.pools[0] = { ...c.pools[0]!, selection: "hash", affinity: { by: "header", name: "x-session" } };
    await putConfigOk(c);
    await resetBreakers(["r-us-1", "r-us-2"]);
    const seen = new Set<string>();
    for (let k = 0; k < 12; k++) {
      const owners = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const res = await edge("/", { geo: GEO.US, headers: { "x-session": `user-${k}` } });
        owners.add(((await res.json()) as Echo).origin);
      }
      expect(owners.size).toBe(1);
      seen.add([...owners][0]!);
    }
    expect(seen.size).toBe(2);
  });

  it("passes a WebSocket upgrade through to the origin", async () => {
    await putConfigOk(config({ steering: { policy: "failover" } }));
    const res = await edge("/ws", { geo: GEO.US, headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" } });
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    ws.accept();
    const reply = new Promise<string>((resolve) => ws.addEventListener("message", (e) => resolve(String(e.data))));
    ws.send("ping");
    expect(await reply).toMatch(/^r-us-[12]:ping$/);
    ws.close();
  });
});
