// Soak (issue 14): the built router on `workerd serve` (ENVIRONMENT=production) under
// sustained load for SOAK_S seconds (150) while one of two origins suffers a fault on a
// schedule — every 6 s the next of: refusing connections, hanging, answering 500 to half its
// requests, answering 400 ms late, each for 2 s — and hostile requests are mixed in
// (client-sent x-edge-* fields, 9 KB URLs, 9 KB header fields, wrong admin tokens). A
// fault-free baseline of BASE_S seconds (20) runs first, in the same process. The config
// retries GETs on 500 too (as operators of idempotent services set it) with a 1 s per-try
// timeout. Figures: idempotent GETs lost during the soak (target 0: one origin stays
// healthy), client-visible errors by cause, hostile answers by status, and workerd's
// resident memory at the start and end of the soak (bound: growth under 64 MiB).
// 127.0.0.1 only; bounded by its two phases.
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { bundle, freePort, startWorkerd } from "./lib/workerd.mjs";
import { load, startOrigins } from "./lib/load.mjs";
import { runAsMain } from "./lib/part.mjs";

const PHASE_S = Number(process.env.SOAK_S ?? 150);
const BASE_S = Number(process.env.BASE_S ?? 20);
/** The faults, in turn, each held for 2 s on origin 0: [name, knobs that start it, knobs that end it]. */
const FAULTS = [
  ["kill", { down_ms: 2000 }, null],
  ["hang", { hang_ms: 2000 }, null],
  ["errors", { error_rate: 0.5 }, { error_rate: 0 }],
  ["slow", { latency_ms: 400 }, { latency_ms: 0 }],
];

/** Client-visible failures by cause: status codes other than 2xx, socket errors, timeouts. */
function causes(r) {
  const out = {};
  for (const [code, n] of Object.entries(r.statuses)) if (!code.startsWith("2") && n > 0) out[code] = n;
  if (r.socketErrors) out.socket_error = r.socketErrors;
  if (r.timeouts) out.timeout = r.timeouts;
  return out;
}
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
      retries: { per_try_timeout_ms: 1000, on: ["connect", "timeout", "500", "502", "503", "504"] },
    });
    const js = await bundle("bench/router-entry.ts", path.join(dir, "router.js"), { BENCH_CONFIG: JSON.stringify(config) });
    server = await startWorkerd({ script: js, port: await freePort(), bindings: { ENVIRONMENT: "production", ADMIN_TOKEN: "soak-admin-token" }, durableObjects: [{ className: "BreakerObject", binding: "BREAKER" }] });
    await load(`${server.url}/warm`, { connections: 8, seconds: 1 });
    const base = await load(`${server.url}/item?x=1`, { connections: 16, seconds: BASE_S, clients: true });

    const memStart = await rssMiB(server.pid);
    // Faults on a schedule: every 6 s the next fault, held on o0 for 2 s.
    const knobs = (k) => fetch(`${origins[0].url}/__origin/knobs`, { method: "POST", body: JSON.stringify(k) }).then((r) => r.ok, () => false);
    const injected = {};
    let turn = 0;
    const enders = new Set();
    const faults = setInterval(() => {
      const [name, start, end] = FAULTS[turn++ % FAULTS.length];
      void knobs(start).then((ok) => ok && (injected[name] = (injected[name] ?? 0) + 1));
      if (end) {
        const t = setTimeout(() => void knobs(end), 2000);
        enders.add(t);
      }
    }, 6000);
    const downs = () => Object.values(injected).reduce((a, b) => a + b, 0);
    // Resident memory every 10 s: the trend tells a leak from the first minute's warm-up.
    const samples = [memStart];
    const sampler = setInterval(() => void rssMiB(server.pid).then((m) => samples.push(m)), 10_000);
    const until = Date.now() + PHASE_S * 1000;
    const [soak, bad] = await Promise.all([load(`${server.url}/item?x=1`, { connections: 16, seconds: PHASE_S, clients: true }), hostile(server.url, until)]);
    clearInterval(faults);
    clearInterval(sampler);
    for (const t of enders) clearTimeout(t);
    await knobs({ error_rate: 0, latency_ms: 0, hang_ms: 0 });
    const memEnd = await rssMiB(server.pid);
    const lost = soak.errors + soak.non2xx;
    const share = (r) => (r.errors + r.non2xx) / Math.max(1, r.total);
    const growth = memEnd - memStart;
    // Growth over the soak's second half, when warm-up is over: a leak keeps growing there.
    const mid = samples[Math.floor(samples.length / 2)] ?? memStart;
    const lateGrowth = memEnd - mid;
    const hostileTotal = Object.values(bad).reduce((a, b) => a + b, 0);
    const unexpected = Object.entries(bad).filter(([k]) => !/^(x-edge:200|414:414|431:431|auth:(401|429))$/.test(k));
    return {
      table: [
        ["phase", "requests", "errors", "error share", "req/s", "p99 ms"],
        ["baseline", base.total, base.errors + base.non2xx, share(base).toFixed(5), base.rps.toFixed(0), base.p99],
        ["soak", soak.total, lost, share(soak).toFixed(5), soak.rps.toFixed(0), soak.p99],
        ["(faults injected:", JSON.stringify(injected), "client-visible errors by cause:", JSON.stringify(causes(soak)), "", ""],
        ["(hostile answers:", JSON.stringify(bad), "", "", "", ""],
        ["(workerd RSS MiB:", memStart.toFixed(1), "→", memEnd.toFixed(1), `bound +${MEMORY_BOUND_MIB}`, `second half +${lateGrowth.toFixed(1)}`],
        ["(RSS every 10 s:", samples.map((m) => m.toFixed(0)).join(" "), "", "", "", ""],
      ],
      figures: {
        soak_idempotent_lost: { value: lost, unit: "GETs", baseline: `${soak.total} GETs over ${PHASE_S} s, one of two origins faulty 2 s in every 6 s (${downs()} faults: ${JSON.stringify(injected)}), ${hostileTotal} hostile requests mixed in; by cause ${JSON.stringify(causes(soak))}`, target: "0" },
        soak_error_share: { value: Number(share(soak).toFixed(6)), unit: "fraction", baseline: `fault-free baseline ${share(base).toFixed(6)} in the same run` },
        soak_hostile_unexpected: { value: unexpected.length, unit: "answer kinds", baseline: `every hostile request answered as intended (200 stripped, 414, 431, 401/429): ${JSON.stringify(bad)}`, target: "0" },
        soak_memory_growth_late_mib: { value: Number(lateGrowth.toFixed(1)), unit: "MiB", baseline: `workerd RSS ${mid.toFixed(1)} → ${memEnd.toFixed(1)} MiB over the soak's second half (samples every 10 s: ${samples.map((m) => m.toFixed(0)).join(" ")})`, target: "< 16" },
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
