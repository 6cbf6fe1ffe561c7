// Load generation and process helpers shared by the benchmarks. Targets 127.0.0.1 only;
// every run is bounded by duration.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const here = path.dirname(fileURLToPath(import.meta.url));

/** Starts `n` origins in a child process; returns their URLs and a stop function. */
export async function startOrigins(n) {
  const child = spawn(process.execPath, [path.join(here, "origin-proc.mjs"), String(n), "900000"], { stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (d) => {
      buf += d;
      const nl = buf.indexOf("\n");
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.once("exit", (code) => reject(new Error(`origin process exited ${code}`)));
  });
  return {
    origins: JSON.parse(line),
    pid: child.pid,
    async stop() {
      child.stdin.end();
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
    },
  };
}

/**
 * One bounded load run: `connections` keep-alive connections for `seconds`.
 * `clients`: each connection is one client, with `cf-connecting-ip` as Cloudflare's edge sets
 * it (connection i gets the i-th address of 198.18.0.0/15, the benchmarking range); its
 * request bytes are still built once, as for a fixed header set. `perClient(i)`: extra headers
 * for client i (its geo, its session cookie), with `clients` only.
 * `statuses` counts answers by status code; `socketErrors` and `timeouts` are what never got one.
 * @returns {Promise<{ rps: number, p50: number, p99: number, errors: number, non2xx: number, total: number, statuses: Record<string, number>, socketErrors: number, timeouts: number }>}
 */
export async function load(url, { connections = 16, seconds = 5, headers = {}, clients = false, perClient } = {}) {
  const opts = { url, connections, duration: seconds, headers, pipelining: 1 };
  let n = 0;
  if (clients)
    opts.setupClient = (client) => {
      const i = n++;
      client.setHeaders({ ...headers, ...(perClient ? perClient(i) : {}), "cf-connecting-ip": benchAddress(i) });
    };
  const r = await autocannon(opts);
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    total: r.requests.total,
    statuses: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count])),
    socketErrors: r.errors,
    timeouts: r.timeouts,
  };
}

/** The i-th address of 198.18.0.0/15 (RFC 2544's range for benchmarks), wrapping. */
export function benchAddress(i) {
  const k = i % 131072;
  return `198.${18 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}`;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
