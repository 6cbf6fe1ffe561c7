// Failover under load: the built router on workerd serves a pool of two origins while one
// of them dies (connection refused) for 3 s in the middle of the run. Idempotent GETs
// must all succeed: the dead origin's attempts are retried on the other, and the breaker
// isolates it. Figure: failover_client_errors (target 0), with the run's request count.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { bundle, freePort, startWorkerd } from "./lib/workerd.mjs";
import { load, startOrigins } from "./lib/load.mjs";
import { runAsMain } from "./lib/part.mjs";

export async function run() {
  const dir = await mkdtemp(path.join(tmpdir(), "aether-failover-"));
  const { origins, stop } = await startOrigins(2);
  let server;
  try {
    const config = JSON.stringify({
      steering: { policy: "failover" },
      pools: [{ id: "p", selection: "p2c_ewma", origins: origins.map((o, i) => ({ id: `o${i}`, url: o.url })) }],
      breaker: { consecutive_failures: 3, min_reporting_colos: 1 },
    });
    const js = await bundle("bench/router-entry.ts", path.join(dir, "router.js"), { BENCH_CONFIG: JSON.stringify(config) });
    server = await startWorkerd({ script: js, port: await freePort(), bindings: { ENVIRONMENT: "development" }, durableObjects: [{ className: "BreakerObject", binding: "BREAKER" }] });
    await load(`${server.url}/warm`, { connections: 16, seconds: 1 });
    let killed = false;
    const killer = setTimeout(() => {
      void fetch(`${origins[0].url}/__origin/knobs`, { method: "POST", body: JSON.stringify({ down_ms: 3000 }) }).then((res) => (killed = res.ok));
    }, 1500);
    const r = await load(`${server.url}/item?x=1`, { connections: 16, seconds: 6 });
    clearTimeout(killer);
    // The origin must really have refused connections, or the figure proves nothing.
    const refused = await fetch(`${origins[0].url}/`).then(() => false, () => true);
    if (!killed) throw new Error("the origin was not taken down");
    const errors = r.errors + r.non2xx;
    return {
      table: [
        ["requests", "client errors", "req/s", "p99 ms"],
        [r.total, errors, r.rps.toFixed(0), r.p99],
        ["(origin down during run:", String(killed), "still refusing after:", String(refused) + ")"],
      ],
      figures: {
        failover_client_errors: { value: errors, unit: "responses", baseline: `${r.total} GETs over 6 s, one of two origins refusing connections for 3 s`, target: "0" },
      },
    };
  } finally {
    await server?.stop();
    await stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await runAsMain(import.meta.url, run, 16);
