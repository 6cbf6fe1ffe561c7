import http from "node:http";
import net from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundle, freePort, startWorkerd } from "../../bench/lib/workerd.mjs";
import { HOP_RESPONSE } from "../support/hop-by-hop.js";

/**
 * What reaches the wire, in both directions, when the built router runs under `workerd
 * serve`. The proxy leaves Connection, Keep-Alive, TE, Trailer, Transfer-Encoding and
 * Upgrade to workerd's HTTP layer (src/routing/headers.ts); this holds workerd to it with
 * raw sockets, which the in-process runtime tests cannot see.
 */

let dir = "";
let origin: http.Server;
let received: Record<string, string | string[] | undefined> = {};
let worker: { url: string; stop(): Promise<void> } | undefined;
let port = 0;

beforeAll(async () => {
  origin = http.createServer((req, res) => {
    received = req.headers;
    res.writeHead(200, { ...HOP_RESPONSE, "content-type": "text/plain", "content-length": "2" });
    res.end("ok");
  });
  await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
  const addr = origin.address();
  const url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  const config = JSON.stringify({ steering: { policy: "failover" }, pools: [{ id: "p", origins: [{ id: "o", url }] }] });
  dir = await mkdtemp(path.join(tmpdir(), "aether-wire-"));
  const script = await bundle("bench/router-entry.ts", path.join(dir, "router.js"), { BENCH_CONFIG: JSON.stringify(config) });
  port = await freePort();
  worker = await startWorkerd({ script, port, bindings: { ENVIRONMENT: "development" }, durableObjects: [{ className: "BreakerObject", binding: "BREAKER" }] });
});

afterAll(async () => {
  await worker?.stop();
  await new Promise((r) => origin.close(r));
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One raw HTTP/1.1 exchange; resolves with the response head, lower-cased names. */
function exchange(head: string): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1", () => s.write(head));
    let buf = "";
    const timer = setTimeout(() => (s.destroy(), reject(new Error(`no answer: ${buf}`))), 5000);
    s.on("data", (d) => {
      buf += d.toString();
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      clearTimeout(timer);
      s.destroy();
      const fields = new Map<string, string>();
      for (const line of buf.slice(0, end).split("\r\n").slice(1)) {
        const i = line.indexOf(":");
        fields.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
      }
      fields.set(":status", buf.slice(9, 12));
      resolve(fields);
    });
    s.on("error", reject);
  });
}

describe("hop-by-hop fields on the wire (workerd serve, built router)", () => {
  it("none reach the origin, none of the origin's reach the client; forwarding lists grow", async () => {
    const head = [
      "GET /x HTTP/1.1",
      "Host: edge.test",
      "Connection: keep-alive, X-Hop",
      "X-Hop: 1",
      "Keep-Alive: timeout=5",
      "TE: trailers",
      "Trailer: x-t",
      "Upgrade: h2c",
      "Proxy-Authorization: Basic abc",
      "Proxy-Connection: keep-alive",
      "X-Keep: yes",
      "CF-Connecting-IP: 203.0.113.7",
      "X-Forwarded-For: 198.51.100.1",
      "Forwarded: for=198.51.100.1",
      "",
      "",
    ].join("\r\n");
    const res = await exchange(head);
    expect(res.get(":status")).toBe("200");
    for (const gone of ["x-hop", "keep-alive", "te", "trailer", "upgrade", "proxy-authorization", "proxy-connection"])
      expect(received[gone], `upstream ${gone}`).toBeUndefined();
    expect(received["x-keep"]).toBe("yes");
    // This hop is added after what earlier hops wrote (as a field line of its own or joined:
    // the same list either way).
    expect(received["x-forwarded-for"]).toBe("198.51.100.1, 203.0.113.7");
    expect(received["forwarded"]).toBe('for=198.51.100.1, for=203.0.113.7;host="edge.test";proto=http');
    expect(received["connection"] ?? "keep-alive").toBe("keep-alive");
    for (const gone of ["x-hop", "keep-alive", "proxy-authenticate", "proxy-connection", "upgrade"]) expect(res.has(gone), `downstream ${gone}`).toBe(false);
    expect(res.get("x-end")).toBe("kept");
  });
});

describe("request limits on the bare wire", () => {
  it("a declared body above the cap answers 413 JSON before any byte of it is read", async () => {
    const res = await exchange("POST /upload HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 200000000\r\n\r\n");
    expect(res.get(":status")).toBe("413");
    expect(res.get("content-type")).toContain("application/json");
  });
});
