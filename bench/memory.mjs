// Memory per isolate with 10,000 origins configured: the built router on `workerd serve`,
// once with a one-pool config of 10,000 origins and once with the router bench's 9-origin
// config (the baseline), same bundle code, same run. Each takes the same bounded load
// (every client a returning user) so that the per-origin state the request path keeps —
// the routing table and picker, load figures, breaker entries, telemetry cells — exists
// for the origins actually picked. Then the isolate's V8 heap is read through workerd's
// inspector (a heap snapshot, which collects garbage first, then Runtime.getHeapUsage: used JS heap plus what
// the runtime holds for it), the limit Workers enforce (128 MB per isolate). The figure is
// the difference. The process's resident set is shown too, but it also holds the local
// Durable Objects' SQLite files and workerd's own buffers, which in production live elsewhere.
// Node 20 needs --experimental-websocket for the inspector client (bench/run.mjs passes it).
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { bundle, freePort, startWorkerd } from "./lib/workerd.mjs";
import { load, startOrigins } from "./lib/load.mjs";
import { runAsMain } from "./lib/part.mjs";
import { CF_BLOB, clientHeaders, routerConfig } from "./router.mjs";

const ORIGINS = Number(process.env.BENCH_ORIGINS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);

/** One pool of `n` origins, all served by one local origin under distinct path prefixes. */
export function wideConfig(base, n) {
  return {
    allow_private_origins: true,
    steering: { policy: "failover" },
    pools: [{ id: "wide", selection: "p2c_ewma", origins: Array.from({ length: n }, (_, i) => ({ id: `o-${i}`, url: `${base}/o${i}` })) }],
  };
}

/** The isolate's heap after a full GC, in bytes, through workerd's inspector (CDP). */
async function heapBytes(inspectorPort) {
  const [target] = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", reject, { once: true });
  });
  let id = 0;
  const call = (method, params = {}) =>
    new Promise((resolve) => {
      const me = ++id;
      const on = (e) => {
        const m = JSON.parse(e.data);
        if (m.id !== me) return;
        ws.removeEventListener("message", on);
        resolve(m.result);
      };
      ws.addEventListener("message", on);
      ws.send(JSON.stringify({ id: me, method, params }));
    });
  try {
    // workerd never answers HeapProfiler.collectGarbage; a heap snapshot collects garbage
    // first (its chunks arrive as events without an id and are dropped).
    await call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    const u = await call("Runtime.getHeapUsage");
    return u.usedSize + (u.embedderHeapUsedSize ?? 0);
  } finally {
    ws.close();
  }
}

function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
}

export async function run() {
  if (typeof WebSocket === "undefined") throw new Error("run with node --experimental-websocket (Node 20) for the inspector client");
  const dir = await mkdtemp(path.join(tmpdir(), "aether-memory-"));
  const { origins, stop: stopOrigins } = await startOrigins(9);
  const servers = [];
  try {
    const vars = { ENVIRONMENT: "production", CONTROL_PREFIX: "/_edge", CONFIG_REFRESH_MS: "5000" };
    const common = { durableObjects: [{ className: "BreakerObject", binding: "BREAKER" }], cfBlobHeader: CF_BLOB };
    const sides = {};
    for (const [name, config] of [
      ["baseline", routerConfig(origins)],
      ["wide", wideConfig(origins[0].url, ORIGINS)],
    ]) {
      const js = await bundle("bench/router-entry.ts", path.join(dir, `${name}.js`), { BENCH_CONFIG: JSON.stringify(JSON.stringify(config)) });
      const inspectorPort = await freePort();
      const s = await startWorkerd({ script: js, port: await freePort(), bindings: vars, inspectorPort, ...common });
      servers.push(s);
      const idle = await heapBytes(inspectorPort);
      const headers = { "user-agent": "autocannon", accept: "*/*" };
      const r = await load(`${s.url}/item?x=1`, { connections: 16, seconds: SECONDS, headers, clients: true, perClient: clientHeaders });
      const stats = await (await fetch(`${s.url}/__bench/stats`)).json();
      sides[name] = { idle, heap: await heapBytes(inspectorPort), rss: rssKiB(s.pid), requests: r.total, errors: r.errors + r.non2xx, stats };
    }
    const mib = (bytes) => Math.round((bytes / 1048576) * 10) / 10;
    const b = sides.baseline;
    const w = sides.wide;
    const delta = mib(w.heap - b.heap);
    const idleDelta = mib(w.idle - b.idle);
    const configKiB = Math.round(JSON.stringify(wideConfig(origins[0].url, ORIGINS)).length / 1024);
    const syncs = (x) => x.stats.breaker.reports + x.stats.breaker.refreshes;
    return {
      table: [
        ["config", "heap before first request MiB", "heap after load MiB", "RSS after load MiB", "requests", "breaker syncs", "errors"],
        ["9 origins (baseline)", mib(b.idle), mib(b.heap), mib(b.rss * 1024), b.requests, syncs(b), b.errors],
        [`${ORIGINS} origins, one pool`, mib(w.idle), mib(w.heap), mib(w.rss * 1024), w.requests, syncs(w), w.errors],
        ["difference", idleDelta, delta, mib((w.rss - b.rss) * 1024), "", "", ""],
      ],
      figures: {
        memory_10k_origins_mib: {
          value: delta,
          unit: "MiB of isolate heap (after GC)",
          baseline: `${ORIGINS.toLocaleString("en-US")}-origin config (${configKiB} KiB of JSON) against the 9-origin router config, same bundle, after ${SECONDS} s of load each (${w.requests} vs ${b.requests} requests); difference before the first request ${idleDelta} MiB; Workers allow 128 MB per isolate`,
          target: "< 32 (a quarter of the isolate)",
        },
        memory_10k_origins_rps_ratio: {
          value: Math.round((w.requests / Math.max(1, b.requests)) * 1000) / 1000,
          unit: "ratio of requests served",
          baseline: `same load against the 9-origin config; breaker object syncs ${syncs(w)} vs ${syncs(b)} (one per origin touched per staleness interval)`,
          target: "report",
        },
        memory_10k_origins_errors: { value: w.errors + b.errors, unit: "responses", baseline: "non-2xx or socket errors on both sides" },
      },
    };
  } finally {
    for (const s of servers) await s.stop();
    await stopOrigins();
    await rm(dir, { recursive: true, force: true });
  }
}

await runAsMain(import.meta.url, run);
