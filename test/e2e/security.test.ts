import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../bench/lib/workerd.mjs";
import { type BadOrigins, startBadOrigins } from "./lib/bad-origins.js";
import { type DevWorker, startDev } from "./lib/wrangler.js";

/**
 * The Security and Failing-dependencies lists of issue 14, on the wire, in production
 * mode: the real worker under `wrangler dev` with ENVIRONMENT=production, real local D1
 * and Durable Objects, real sockets to misbehaving origins on 127.0.0.1.
 */

const TOKEN = "e2e-security-token";
let persist = "";
let bad: BadOrigins;
let w: DevWorker | undefined;
let port = 0;
const admin = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };

const pool = (urls: string[], extra: Record<string, unknown> = {}) => ({
  allow_private_origins: true,
  steering: { policy: "failover" },
  pools: [{ id: "p", selection: "round_robin", origins: urls.map((url, i) => ({ id: `o${i}`, url })) }],
  retries: { attempts: 1, per_try_timeout_ms: 600, budget_percent: 100 },
  breaker: { min_reporting_colos: 1 },
  ...extra,
});
const put = (config: unknown) => fetch(`${w!.url}/_edge/api/config`, { method: "PUT", headers: admin, body: JSON.stringify(config) });

beforeAll(async () => {
  bad = await startBadOrigins();
  persist = await mkdtemp(path.join(tmpdir(), "aether-sec-e2e-"));
  port = await freePort();
  // A config stored in development, with loopback origins and no allow_private_origins.
  const dev = await startDev({ port, persist, vars: { ENVIRONMENT: "development", ADMIN_TOKEN: TOKEN } });
  const stored = await fetch(`${dev.url}/_edge/api/config`, { method: "PUT", headers: admin, body: JSON.stringify({ ...pool([bad.urls.echo]), allow_private_origins: false }) });
  await dev.stop();
  if (stored.status !== 200) throw new Error(`dev PUT: ${stored.status} ${await stored.text()}`);
  w = await startDev({ port, persist, vars: { ENVIRONMENT: "production", ADMIN_TOKEN: TOKEN, CONFIG_REFRESH_MS: "0" } });
}, 240_000);

afterAll(async () => {
  await w?.stop();
  await bad?.close();
  if (persist) await rm(persist, { recursive: true, force: true });
});

/** One raw HTTP/1.1 exchange: the status and the head, or "closed" if the edge hung up. */
function raw(head: string, ms = 5000): Promise<{ status: string; text: string }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => s.write(head));
    let buf = "";
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`no answer: ${buf}`))), ms);
    s.on("data", (d) => {
      buf += d.toString();
      if (buf.includes("\r\n\r\n") && /\}\s*$/.test(buf)) (clearTimeout(timer), s.destroy(), resolve({ status: buf.slice(9, 12), text: buf }));
    });
    s.on("close", () => (clearTimeout(timer), resolve({ status: buf.slice(9, 12) || "closed", text: buf })));
    s.on("error", () => undefined);
  });
}

describe("production mode on the wire", () => {
  it("a config stored in development with loopback origins is not served: 503 config_refused", async () => {
    const res = await fetch(`${w!.url}/anything`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe("config_refused");
    expect(body.message).toContain("pools.0.origins.0.url");
    // Rolling back to it is refused too.
    const rb = await fetch(`${w!.url}/_edge/api/config/rollback/1`, { method: "POST", headers: admin });
    expect(rb.status).toBe(400);
    expect(((await rb.json()) as { error: string }).error).toBe("invalid_config");
  });

  it.each([
    ["http://127.0.0.1:9"],
    ["http://[::ffff:127.0.0.1]:9"],
    ["http://[::ffff:7f00:1]:9"],
    ["http://[0:0:0:0:0:ffff:7f00:1]:9"],
    ["http://[::1]:9"],
    ["http://169.254.169.254"],
    ["http://10.0.0.1"],
    ["http://0x7f.1"],
  ])("PUT refuses the private origin %s with 400 invalid_config, and stores nothing", async (url) => {
    const before = ((await (await fetch(`${w!.url}/_edge/api/config/versions`, { headers: admin })).json()) as { versions: unknown[] }).versions.length;
    const res = await put({ ...pool([url]), allow_private_origins: false });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: { path: string }[] };
    expect(body.error).toBe("invalid_config");
    expect(body.issues[0]?.path).toBe("pools.0.origins.0.url");
    const after = ((await (await fetch(`${w!.url}/_edge/api/config/versions`, { headers: admin })).json()) as { versions: unknown[] }).versions.length;
    expect(after).toBe(before);
  });

  it.each([["not a url"], ["ftp://example.com"], ["https://user:pw@example.com"], ["javascript:alert(1)"]])("PUT answers 400 (never 500) for the origin url %j", async (url) => {
    const res = await put({ ...pool([url]), pools: [{ id: "p", origins: [{ id: "o", url }, { id: "", url: 5 }] }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_config");
  });

  it("strips every x-edge-* request field, drops the client's Host, keeps forwarding fields whatever Connection says", async () => {
    expect((await put(pool([bad.urls.echo]))).status).toBe(200);
    const head = [
      "GET /h HTTP/1.1",
      "Host: edge.test",
      "Connection: keep-alive, X-Forwarded-For, Forwarded, CF-Connecting-IP, CF-IPCountry, X-Hop",
      "X-Hop: 1",
      "X-Edge-Pool: evil",
      "X-Edge-Origin: evil",
      "X-Edge-Attempts: 7",
      "X-Edge-Geo: country=DE; continent=EU; lat=50.1; lon=8.6; colo=FRA",
      "X-Edge-Whatever: 1",
      "X-Forwarded-For: 198.51.100.1",
      "Forwarded: for=198.51.100.1",
      "CF-IPCountry: XX",
      "",
      "",
    ].join("\r\n");
    const res = await raw(head);
    expect(res.status).toBe("200");
    const got = bad.received().at(-1)!;
    for (const name of Object.keys(got)) expect(name.startsWith("x-edge-"), name).toBe(false);
    // (wrangler dev's proxy consumes Connection before the worker; the Connection rules are
    // held on the bare workerd wire in wire.test.ts and in test/runtime/security.test.ts.)
    expect(got.host).toBe(new URL(bad.urls.echo).host);
    expect(got["x-forwarded-for"]).toMatch(/^198\.51\.100\.1(, |$)/);
    expect(got.forwarded).toMatch(/^for=198\.51\.100\.1/);
  });

  it("origin-set x-edge-* response fields never reach the client with debug headers off", async () => {
    const res = await fetch(`${w!.url}/r?spoof=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-edge-origin")).toBeNull();
    expect(res.headers.get("x-edge-internal")).toBeNull();
  });

  it("request limits answer 414, 431 and 413 with JSON", async () => {
    const long = await fetch(`${w!.url}/x?${"a".repeat(9000)}`);
    expect(long.status).toBe(414);
    expect(((await long.json()) as { error: string }).error).toBe("uri_too_long");
    const big = await fetch(`${w!.url}/x`, { headers: { "x-big": "a".repeat(9000) } });
    expect(big.status).toBe(431);
    expect(((await big.json()) as { error: string }).error).toBe("header_too_large");
    const cfg = await fetch(`${w!.url}/_edge/api/config`, { method: "PUT", headers: admin, body: "x".repeat(1_100_000) });
    expect(cfg.status).toBe(413);
  });

  it("misbehaving origins: clean 504/502 JSON, retries within budget, never a hang", async () => {
    const cases: [string, string[], number, string][] = [
      ["hang", [bad.urls.hang], 504, "origin_timeout"],
      ["slow", [bad.urls.slow], 504, "origin_timeout"],
      ["reset", [bad.urls.reset], 502, "origin_unreachable"],
      ["garbage", [bad.urls.garbage], 502, "origin_unreachable"],
    ];
    for (const [name, urls, status, error] of cases) {
      expect((await put(pool(urls))).status).toBe(200);
      const started = Date.now();
      const res = await fetch(`${w!.url}/f`, { signal: AbortSignal.timeout(10_000) });
      expect(res.status, name).toBe(status);
      expect(((await res.json()) as { error: string }).error, name).toBe(error);
      expect(Date.now() - started, name).toBeLessThan(5000);
    }
    // Back to back, so each request arrives while the previous one's watchdog is winding down.
    expect((await put(pool([bad.urls.hang]))).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await fetch(`${w!.url}/hh${i}`, { signal: AbortSignal.timeout(10_000) })).status).toBe(504);
    // One hung origin and one healthy: the GET is retried on the healthy one.
    expect((await put(pool([bad.urls.hang, bad.urls.echo], { pools: [{ id: "p", selection: "round_robin", origins: [{ id: "h", url: bad.urls.hang }, { id: "e", url: bad.urls.echo }] }] }))).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await fetch(`${w!.url}/g${i}`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
    // Closed mid-body: the client sees the stream end early, within the bound.
    expect((await put(pool([bad.urls.midbody]))).status).toBe(200);
    const started = Date.now();
    const outcome = await fetch(`${w!.url}/m`, { signal: AbortSignal.timeout(10_000) }).then(
      (r) => r.text().then((t) => `body ${t.length}`, () => "body error"),
      () => "request error",
    );
    expect(outcome).not.toBe("body 100");
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it("the control API needs the token: 401, then 429 with Retry-After after repeated failures, even for the right token", async () => {
    expect((await fetch(`${w!.url}/_edge/api/status`)).status).toBe(401);
    let last = 0;
    let retryAfter = "";
    for (let i = 0; i < 10; i++) {
      const r = await fetch(`${w!.url}/_edge/api/status`, { headers: { authorization: `Bearer wrong-${i}` } });
      last = r.status;
      retryAfter = r.headers.get("retry-after") ?? "";
    }
    expect(last).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    const locked = await fetch(`${w!.url}/_edge/api/status`, { headers: admin });
    expect(locked.status).toBe(429);
    // The dashboard's files stay public and carry no data.
    expect((await fetch(`${w!.url}/_edge/dashboard/`)).status).toBe(200);
    // No secret in the worker's own log lines (wrangler's banner lists vars; ours are JSON events).
    for (const line of w!.output().split("\n").filter((l: string) => l.includes('{"event"'))) expect(line).not.toContain(TOKEN);
  });
});
