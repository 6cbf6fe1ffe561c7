// The router's cost ladder: throughput of each rung of bench/ladder-entry.ts (bare
// passthrough, then steering, forwarding headers, the per-try timer, the whole router), all
// in one workerd process against the same origin, rounds alternating in rotating order.
// Each rung is reported as a ratio to the passthrough of the same run: where the router's
// shortfall against its 0.85 target comes from.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { bundle, freePort, startWorkerd } from "./lib/workerd.mjs";
import { load, median, startOrigins } from "./lib/load.mjs";
import { CF_BLOB, clientHeaders, routerConfig } from "./router.mjs";
import { runAsMain } from "./lib/part.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const RUNGS = ["pass", "steer", "fwd", "timer", "full"];
const LABEL = {
  pass: "bare passthrough",
  steer: "+ geo, steering, pick",
  fwd: "+ forwarding headers",
  timer: "+ per-try timeout",
  full: "whole router",
};

export async function run() {
  const dir = await mkdtemp(path.join(tmpdir(), "aether-ladder-"));
  const { origins, stop: stopOrigins } = await startOrigins(9);
  let server;
  try {
    const script = await bundle("bench/ladder-entry.ts", path.join(dir, "ladder.js"), { BENCH_CONFIG: JSON.stringify(JSON.stringify(routerConfig(origins))) });
    server = await startWorkerd({
      script,
      port: await freePort(),
      bindings: { ENVIRONMENT: "production", CONTROL_PREFIX: "/_edge", CONFIG_REFRESH_MS: "5000" },
      durableObjects: [{ className: "BreakerObject", binding: "BREAKER" }],
      cfBlobHeader: CF_BLOB,
    });
    const headers = { "user-agent": "autocannon", accept: "*/*" };
    for (const r of RUNGS) await load(`${server.url}/${r}/warm`, { seconds: 1, headers, clients: true, perClient: clientHeaders });
    const rps = Object.fromEntries(RUNGS.map((r) => [r, []]));
    let bad = 0;
    for (let i = 0; i < ROUNDS; i++)
      for (let k = 0; k < RUNGS.length; k++) {
        const rung = RUNGS[(i + k) % RUNGS.length];
        const r = await load(`${server.url}/${rung}/bench?x=1`, { seconds: SECONDS, headers, clients: true, perClient: clientHeaders });
        rps[rung].push(r.rps);
        bad += r.errors + r.non2xx;
      }
    const base = median(rps.pass);
    const table = [["rung", "req/s (median)", "vs passthrough", "rounds"]];
    const figures = {};
    for (const r of RUNGS) {
      // Paired with the passthrough of the same round, as in router.mjs.
      const ratios = rps[r].map((x, i) => x / rps.pass[i]);
      const m = median(ratios);
      const spread = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
      table.push([LABEL[r], median(rps[r]).toFixed(0), m.toFixed(2), spread]);
      if (r !== "pass") figures[`ladder_${r}_vs_passthrough`] = { value: Math.round(m * 1000) / 1000, unit: "ratio (median of per-round pairs)", baseline: `passthrough ${base.toFixed(0)} req/s, same process; rounds ${spread}` };
    }
    figures.ladder_errors = { value: bad, unit: "responses", baseline: "non-2xx or socket errors, all rungs" };
    return { table, figures };
  } finally {
    await server?.stop();
    await stopOrigins();
    await rm(dir, { recursive: true, force: true });
  }
}

await runAsMain(import.meta.url, run);
