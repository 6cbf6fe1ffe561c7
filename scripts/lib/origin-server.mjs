// A small HTTP origin for the demo, the tests and the benchmarks. Each instance answers
// every path with JSON naming its id and echoing the request, serves /healthz, and has
// knobs for added latency, error rate, a fixed status, being down (connection refused)
// and hanging (no answer).
// Knobs: POST /__origin/knobs with JSON {latency_ms, error_rate, status, down_ms, hang_ms, headers};
// GET shows them. `headers` adds fields to every answer (tests of what the edge passes on).
// down_ms refuses connections for that long (then listens again), as a dead origin would.
// hang_ms accepts requests and sends nothing, not even headers, for that long, keeping the
// connections open (a stalled process: a GC pause, a deadlock, a full queue); requests held
// then get their normal answer, or none if the client gave up. hang_ms 0 ends a hang now.
// GET /__origin/hits?since=<epoch ms> lists when each request arrived (epoch ms, sub-ms
// precision, oldest first) and the faults (down, hang) with their start and end, so a
// benchmark can tell when the last request reached an origin after a fault began.
import { createHash } from "node:crypto";
import http from "node:http";
import { HitLog } from "./hit-log.mjs";

const MAX_FAULT_MS = 600_000;

/**
 * @param {{ id: string, port?: number, host?: string, region?: string }} opts
 * @returns {Promise<{ id: string, port: number, url: string, knobs: object, setKnobs(k: object): void, down(): Promise<void>, up(): Promise<void>, close(): Promise<void>, hits: number, timeline(since?: number): { times: number[], dropped: number, faults: { kind: string, from: number, to: number | null }[] } }>}
 */
export async function startOrigin(opts) {
  const host = opts.host ?? "127.0.0.1";
  const knobs = { latency_ms: 0, error_rate: 0, status: 0, headers: {} };
  const sockets = new Set();
  let hits = 0;
  const log = new HitLog();
  /** Requests held by a hang: each one's release function. */
  const held = new Set();
  let hang = null;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://origin");
    if (url.pathname === "/__origin/hits") {
      const since = Number(url.searchParams.get("since") ?? 0);
      if (!Number.isFinite(since)) return send(res, 400, { error: "bad_since", message: "since must be epoch milliseconds" });
      return send(res, 200, { id: opts.id, hits, ...log.since(since) });
    }
    if (url.pathname === "/__origin/knobs") {
      if (req.method === "POST") {
        let raw = "";
        req.on("data", (c) => (raw += c));
        req.on("end", () => {
          try {
            apply(JSON.parse(raw || "{}"));
            send(res, 200, { id: opts.id, knobs, hanging: hang !== null });
          } catch (e) {
            send(res, 400, { error: "bad_knobs", message: String(e) });
          }
        });
        return;
      }
      return send(res, 200, { id: opts.id, knobs, hanging: hang !== null });
    }
    hits++;
    log.hit();
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const answer = () => {
        if (url.pathname === "/healthz") return send(res, knobs.status >= 500 ? knobs.status : 200, { id: opts.id, ok: knobs.status < 500 });
        if (req.headers.upgrade) return send(res, 426, { error: "no_upgrade_here" });
        const failed = knobs.status > 0 || (knobs.error_rate > 0 && Math.random() < knobs.error_rate);
        const status = knobs.status > 0 ? knobs.status : failed ? 500 : 200;
        send(res, status, {
          origin: opts.id,
          region: opts.region ?? "",
          method: req.method,
          path: req.url,
          headers: req.headers,
          body,
        });
      };
      const proceed = () => {
        if (knobs.latency_ms > 0) setTimeout(answer, knobs.latency_ms);
        else answer();
      };
      if (hang) hold(res, proceed);
      else proceed();
    });
  });
  /** Sends nothing until the hang ends; a client that gives up first gets nothing at all. */
  function hold(res, proceed) {
    const release = () => {
      held.delete(release);
      if (!res.destroyed) proceed();
    };
    held.add(release);
    res.once("close", () => held.delete(release));
  }
  /** Hangs for `ms` from now (a hang in progress is extended or shortened to that). */
  function startHang(ms) {
    const now = log.now();
    if (hang) clearTimeout(hang.timer);
    else hang = { fault: log.faultStarted("hang", now) };
    hang.timer = setTimeout(endHang, ms);
  }
  function endHang() {
    if (!hang) return;
    clearTimeout(hang.timer);
    log.faultEnded(hang.fault);
    hang = null;
    for (const release of [...held]) release();
  }
  // WebSocket (RFC 6455): accept the upgrade and answer each short text frame with
  // "<id>:<text>", enough to prove an upgrade passed through the edge end to end.
  server.on("upgrade", (req, socket) => {
    const key = req.headers["sec-websocket-key"];
    if (typeof key !== "string" || (req.headers.upgrade ?? "").toLowerCase() !== "websocket") return socket.destroy();
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.on("data", (buf) => {
      const opcode = buf[0] & 0x0f;
      if (opcode === 0x8) return socket.end(Buffer.from([0x88, 0x00]));
      const len = buf[1] & 0x7f;
      if (opcode !== 0x1 || len > 125) return;
      const masked = (buf[1] & 0x80) !== 0;
      const mask = masked ? buf.subarray(2, 6) : null;
      const payload = Buffer.from(buf.subarray(masked ? 6 : 2, (masked ? 6 : 2) + len));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
      const reply = Buffer.from(`${opts.id}:${payload.toString("utf8")}`);
      socket.write(Buffer.concat([Buffer.from([0x81, reply.length]), reply]));
    });
    socket.on("error", () => socket.destroy());
  });
  server.keepAliveTimeout = 5000;
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  /** Validates every knob before applying any, so a bad request changes nothing. */
  function apply(k) {
    const down = k.down_ms === undefined ? undefined : faultMs("down_ms", k.down_ms, 1);
    const hangMs = k.hang_ms === undefined ? undefined : faultMs("hang_ms", k.hang_ms, 0);
    const h = k.headers;
    if (h !== undefined && (typeof h !== "object" || h === null || Object.values(h).some((v) => typeof v !== "string"))) throw new Error("headers must map names to strings");
    const numbers = {};
    for (const key of ["latency_ms", "error_rate", "status"]) {
      if (k[key] !== undefined) {
        const v = Number(k[key]);
        if (!Number.isFinite(v) || v < 0) throw new Error(`${key} must be a non-negative number`);
        numbers[key] = v;
      }
    }
    Object.assign(knobs, numbers);
    if (h !== undefined) knobs.headers = { ...h };
    if (hangMs !== undefined) {
      if (hangMs > 0) startHang(hangMs);
      else endHang();
    }
    // Answer this request first, then refuse connections for down_ms (a dead origin).
    if (down !== undefined) setTimeout(() => void self.down().then(() => setTimeout(() => void self.up(), down)), 50);
  }
  function faultMs(key, raw, min) {
    const ms = Number(raw);
    if (!Number.isFinite(ms) || ms < min || ms > MAX_FAULT_MS) throw new Error(`${key} must be between ${min} and ${MAX_FAULT_MS}`);
    return ms;
  }
  function send(res, status, obj) {
    const text = JSON.stringify(obj);
    res.writeHead(status, { ...knobs.headers, "content-type": "application/json", "content-length": Buffer.byteLength(text), "x-origin-id": opts.id });
    res.end(text);
  }
  const listen = (port) =>
    new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve(server.address().port);
      });
    });
  let port = await listen(opts.port ?? 0);
  let downFault = null;
  const self = {
    id: opts.id,
    port,
    url: `http://${host}:${port}`,
    knobs,
    get hits() {
      return hits;
    },
    setKnobs: apply,
    /** When requests arrived since `since` (epoch ms), and the faults that overlap it. */
    timeline: (since = 0) => log.since(since),
    /** Refuse connections: stop listening and drop open sockets. */
    async down() {
      if (server.listening) downFault ??= log.faultStarted("down", log.now());
      await new Promise((r) => {
        server.close(() => r(undefined));
        for (const s of sockets) s.destroy();
      });
    },
    async up() {
      port = await listen(port);
      if (downFault) log.faultEnded(downFault);
      downFault = null;
    },
    async close() {
      if (server.listening) await self.down();
      endHang();
    },
  };
  return self;
}
