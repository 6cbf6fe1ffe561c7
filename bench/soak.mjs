// Soak (issue 14): the built router on `workerd serve` (ENVIRONMENT=production) under
// sustained load for SOAK_S seconds while one of two origins is taken down on a schedule
// and hostile requests are mixed in (client-sent x-edge-* fields, 9 KB URLs, 9 KB header
// fields, wrong admin tokens). A baseline phase of the same length without faults or
// hostile traffic runs first, in the same process, for comparison.
// Figures: idempotent GETs lost during the soak (target 0: one origin stays healthy),
// the error share in both phases, hostile answers by status, and workerd's resident
// memory at the start and end of the soak (bound: growth under 64 MiB). 127.0.0.1 only.
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { bundle, freePort, startWorkerd } from "./lib/workerd.mjs";
import { load, startOrigins } from "./lib/load.mjs";
import { runAsMain } from "./lib/part.mjs";

const PHASE_S = Number(process.env.SOAK_S ?? 20);
const MEMORY_BOUND_MIB = 64;

async function rssMiB(pid) {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Hostile requests, one after another, until `until`; answers counted by status. */
async function hostile(base, until) {
  const counts = {};
  const kinds = [
    () => fetch(`${base}/h`, { headers: { "x-edge-pool": "evil", "x-edge-origin": "evil", "x-edge-geo": "country=DE" } }),
    () => fetch(`${base}/long?${"a".repeat(9000)}`),
    () => fetch(`${base}/big`, { headers: { "x-big": "a".repeat(9000) } }),
    () => fetch(`${base}/_edge/api/status`, { headers: { authorization: `Bearer guess-${Math.random()}` } }),
  ];
  let i = 0;
  while (Date.now() < until) {
    const kind = i++ % kinds.length;
    // The origin echoes what it received: an x-edge-* field in the echo is a leak.
    const status = await kinds[kind]().then(async (r) => ((await r.text()).includes('"x-edge-') ? "leaked" : r.status), () => "socket_error");
    const key = `${["x-edge", "414", "431", "auth"][kind]}:${status}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export async function run() {
  const dir = await mkdtemp(path.join(tmpdir(), "aether-soak-"));
  const { origins, stop } = await startOrigins(2);
  let server;
  try {
    const config = JSON.stringify({
      allow_private_origins: true,
      steering: { policy: "failover" },
      pools: [{ id: "p", selection: "p2c_ewma", origins: origins.map((o, i) => ({ id: `o${i}`, url: o.url })) }],
      breaker: { consecutive_failures: 3, min_reporting_colos: 1 },
    });
    const js = await bundle("bench/router-entry.ts", path.join(dir, "router.js"), { BENCH_CONFIG: JSON.stringify(config) });
    server = await startWorkerd({ script: js, port: await freePort(), bindings: { ENVIRONMENT: "production", ADMIN_TOKEN: "soak-admin-token" }, durableObjects: [{ className: "BreakerObject", binding: "BREAKER" }] });
    await load(`${server.url}/warm`, { connections: 8, seconds: 1 });
    const base = await load(`${server.url}/item?x=1`, { connections: 16, seconds: PHASE_S, clients: true });

    const memStart = await rssMiB(server.pid);
    // Faults on a schedule: o0 refuses connections for 2 s of every 6 s.
    let downs = 0;
    const faults = setInterval(() => {
      void fetch(`${origins[0].url}/__origin/knobs`, { method: "POST", body: JSON.stringify({ down_ms: 2000 }) }).then((r) => r.ok && downs++, () => undefined);
    }, 6000);
    const until = Date.now() + PHASE_S * 1000;
    const [soak, bad] = await Promise.all([load(`${server.url}/item?x=1`, { connections: 16, seconds: PHASE_S, clients: true }), hostile(server.url, until)]);
    clearInterval(faults);
    const memEnd = await rssMiB(server.pid);
    const lost = soak.errors + soak.non2xx;
    const share = (r) => (r.errors + r.non2xx) / Math.max(1, r.total);
    const growth = memEnd - memStart;
    const hostileTotal = Object.values(bad).reduce((a, b) => a + b, 0);
    const unexpected = Object.entries(bad).filter(([k]) => !/^(x-edge:200|414:414|431:431|auth:(401|429))$/.test(k));
    return {
      table: [
        ["phase", "requests", "errors", "error share", "req/s", "p99 ms"],
        ["baseline", base.total, base.errors + base.non2xx, share(base).toFixed(5), base.rps.toFixed(0), base.p99],
        ["soak", soak.total, lost, share(soak).toFixed(5), soak.rps.toFixed(0), soak.p99],
        ["(origin outages:", downs, "hostile answers:", JSON.stringify(bad), "", ""],
        ["(workerd RSS MiB:", memStart.toFixed(1), "→", memEnd.toFixed(1), `bound +${MEMORY_BOUND_MIB}`, ""],
      ],
      figures: {
        soak_idempotent_lost: { value: lost, unit: "GETs", baseline: `${soak.total} GETs over ${PHASE_S} s, one of two origins down 2 s in every 6 s (${downs} outages), ${hostileTotal} hostile requests mixed in`, target: "0" },
        soak_error_share: { value: Number(share(soak).toFixed(6)), unit: "fraction", baseline: `fault-free baseline ${share(base).toFixed(6)} in the same run` },
        soak_hostile_unexpected: { value: unexpected.length, unit: "answer kinds", baseline: `every hostile request answered as intended (200 stripped, 414, 431, 401/429): ${JSON.stringify(bad)}`, target: "0" },
        soak_memory_growth_mib: { value: Number(growth.toFixed(1)), unit: "MiB", baseline: `workerd RSS ${memStart.toFixed(1)} → ${memEnd.toFixed(1)} MiB over the soak`, target: `< ${MEMORY_BOUND_MIB}` },
        soak_p99_ratio: { value: Number((soak.p99 / Math.max(1, base.p99)).toFixed(2)), unit: "ratio", baseline: `soak p99 ${soak.p99} ms vs baseline ${base.p99} ms` },
      },
    };
  } finally {
    await server?.stop();
    await stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await runAsMain(import.meta.url, run, 16);
