// A load generator that keeps every request: when it was sent and answered, its status and
// the router's debug headers (x-edge-attempts, x-edge-origin), so a benchmark can tell what
// happened around a fault, request by request. `connections` loops, each one keep-alive
// connection sending GETs back to back (closed loop, as autocannon does). 127.0.0.1 only;
// bounded by a hard time limit and a per-request client timeout.
import http from "node:http";

/** Epoch ms with sub-ms precision; the origins' arrival log uses the same clock. */
export const epochMs = () => performance.timeOrigin + performance.now();

/**
 * @typedef {{ start: number, end: number, status: number, attempts: number, origin: string, error: string }} Sample
 * status 0 with `error` set: a transport error or a client timeout.
 */

/**
 * Starts the load; stop() ends it after the requests in flight and returns every sample.
 * @param {string} url
 * @param {{ connections?: number, maxSeconds?: number, timeoutMs?: number }} [opts]
 */
export function startLoad(url, { connections = 16, maxSeconds = 90, timeoutMs = 10_000 } = {}) {
  const u = new URL(url);
  if (u.hostname !== "127.0.0.1") throw new Error("load targets 127.0.0.1 only");
  /** @type {Sample[]} */
  const samples = [];
  let stopping = false;
  const hard = setTimeout(() => (stopping = true), maxSeconds * 1000);
  const loops = [];
  for (let i = 0; i < connections; i++) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    loops.push(
      (async () => {
        while (!stopping) samples.push(await one(u, agent, timeoutMs));
        agent.destroy();
      })(),
    );
  }
  return {
    samples,
    async stop() {
      stopping = true;
      clearTimeout(hard);
      await Promise.all(loops);
      return samples;
    },
  };
}

/** @returns {Promise<Sample>} */
function one(u, agent, timeoutMs) {
  const start = epochMs();
  return new Promise((resolve) => {
    const req = http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search, agent, timeout: timeoutMs }, (res) => {
      const attempts = Number(res.headers["x-edge-attempts"] ?? 0);
      const origin = String(res.headers["x-edge-origin"] ?? "");
      res.resume();
      res.on("end", () => resolve({ start, end: epochMs(), status: res.statusCode ?? 0, attempts, origin, error: "" }));
      res.on("error", (e) => resolve({ start, end: epochMs(), status: 0, attempts, origin, error: String(e) }));
    });
    req.on("timeout", () => req.destroy(new Error(`client timeout after ${timeoutMs} ms`)));
    req.on("error", (e) => resolve({ start, end: epochMs(), status: 0, attempts: 0, origin: "", error: e.message }));
  });
}

/** The q-quantile (0..1) of xs, nearest rank; NaN for none. */
export function quantile(xs, q) {
  if (xs.length === 0) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
