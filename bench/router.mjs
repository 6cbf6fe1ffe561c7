// End-to-end throughput of the built router against a bare passthrough worker, both under
// `workerd serve`, same origins, same run, on a realistic config (routerConfig: three pools
// of three origins, p2c_ewma and hash with cookie affinity, breakers, retries, telemetry,
// debug headers off, the default) and realistic clients (clientHeaders: 16 returning users, half in
// Frankfurt, half in New York). Three instruments:
// - same core (the headline, the strictest): both workers pinned to one core, the load
//   generator and origins on the other, two processes of one bundle swapping roles each
//   round, so the ratio of throughputs is the inverse ratio of the workers' own CPU per
//   request. Once as deployed, once with the geo memo off (GEO_MEMO_SIZE=0: request.cf is
//   parsed on every request, as for clients that never return), once with debug headers on.
// - together: both loaded at the same time, 16 connections each, so whatever this noisy
//   2-core VM does during a round it does to both; the workers share two cores with the
//   load generator, so the router can borrow CPU the passthrough leaves idle (kinder).
// - alone: each side by itself, alternating, for absolute req/s and latency.
// Also: router with telemetry on against off (together), D1 statements and Durable Object
// calls per 1,000 proxied requests (from the counting stand-in for D1).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { bundle, freePort, startWorkerd } from "./lib/workerd.mjs";
import { load, median, startOrigins } from "./lib/load.mjs";
import { runAsMain } from "./lib/part.mjs";

// Rounds of 3 s: the median of nine is steady to about ±0.03 together (measured here).
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ALONE_ROUNDS = Number(process.env.BENCH_ALONE_ROUNDS ?? 6);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const SAME_CORE_ROUNDS = Number(process.env.BENCH_SAME_CORE_ROUNDS ?? 8);
// 16 connections, each one client with its own address (cf-connecting-ip), as 16 users on
// keep-alive connections through Cloudflare's edge would arrive.
const CONNECTIONS = 16;
// The production geo path: request.cf as Cloudflare's edge fills it (a Frankfurt client;
// field set as in Cloudflare's IncomingRequestCfProperties), handed to workerd through its
// cfBlobHeader, on both sides. The router reads it; the passthrough ignores it.
export const CF_BLOB = "cf-blob";
export const CF = {
  asn: 3320,
  asOrganization: "Deutsche Telekom AG",
  city: "Frankfurt am Main",
  clientAcceptEncoding: "gzip, deflate, br",
  clientTcpRtt: 12,
  colo: "FRA",
  continent: "EU",
  country: "DE",
  edgeRequestKeepAliveStatus: 1,
  httpProtocol: "HTTP/1.1",
  isEUCountry: "1",
  latitude: "50.11090",
  longitude: "8.68213",
  metroCode: "0",
  postalCode: "60311",
  region: "Hesse",
  regionCode: "HE",
  requestPriority: "",
  timezone: "Europe/Berlin",
  tlsCipher: "AEAD-AES128-GCM-SHA256",
  tlsVersion: "TLSv1.3",
  verifiedBotCategory: "",
};

// A New York client, for the half of the connections steered to us-east.
const { isEUCountry: _eu, ...cfBase } = CF;
export const CF_NY = {
  ...cfBase,
  asn: 7922,
  asOrganization: "Comcast Cable Communications",
  city: "New York",
  colo: "EWR",
  continent: "NA",
  country: "US",
  latitude: "40.71280",
  longitude: "-74.00600",
  metroCode: "501",
  postalCode: "10001",
  region: "New York",
  regionCode: "NY",
  timezone: "America/New_York",
};
export const AFFINITY_COOKIE = "aether_aff";

/**
 * A config as a user would run it: three regional pools of three origins each, steered by
 * proximity; us-east and ap-south pick by p2c_ewma, eu-west by hash with cookie affinity;
 * breakers, retries (attempts 2, budget 20 %) and telemetry at their defaults; debug
 * headers off, their default (`debug: true` turns them on: every response is then rebuilt
 * with three more fields). Loopback origins allowed (they are the bench's).
 */
export function routerConfig(origins, { debug = false } = {}) {
  const regions = [
    ["us-east", 38.9, -77.0, { selection: "p2c_ewma" }],
    ["eu-west", 53.35, -6.26, { selection: "hash", affinity: { by: "cookie", name: AFFINITY_COOKIE } }],
    ["ap-south", 1.35, 103.82, { selection: "p2c_ewma" }],
  ];
  return {
    debug_headers: debug,
    // The bench's origins are on 127.0.0.1 and the router runs as production.
    allow_private_origins: true,
    steering: { policy: "proximity", fallback_pool: "us-east" },
    retries: { attempts: 2, budget_percent: 20 },
    pools: regions.map(([id, lat, lon, pick], i) => ({
      id,
      location: { lat, lon },
      ...pick,
      origins: [0, 1, 2].map((j) => ({ id: `${id}-${j + 1}`, url: origins[(i * 3 + j) % origins.length].url })),
    })),
  };
}

/**
 * Client i's own headers: even clients in Frankfurt (eu-west, hash pool) returning with
 * their affinity cookie, odd clients in New York (us-east, p2c_ewma pool).
 */
export function clientHeaders(i) {
  return i % 2 ? { [CF_BLOB]: JSON.stringify(CF_NY) } : { [CF_BLOB]: JSON.stringify(CF), cookie: `${AFFINITY_COOKIE}=returning-client-${i}` };
}

export async function run() {
  const dir = await mkdtemp(path.join(tmpdir(), "aether-bench-"));
  const { origins, pid: originsPid, stop: stopOrigins } = await startOrigins(9);
  const servers = [];
  try {
    const config = JSON.stringify(routerConfig(origins));
    const routerJs = await bundle("bench/router-entry.ts", path.join(dir, "router.js"), { BENCH_CONFIG: JSON.stringify(config) });
    const passJs = await bundle("bench/passthrough-entry.ts", path.join(dir, "pass.js"));
    const pairJs = await bundle("bench/pair-entry.ts", path.join(dir, "pair.js"), { BENCH_CONFIG: JSON.stringify(config) });
    const pairDebugJs = await bundle("bench/pair-entry.ts", path.join(dir, "pair-debug.js"), { BENCH_CONFIG: JSON.stringify(JSON.stringify(routerConfig(origins, { debug: true }))) });
    const common = { durableObjects: [{ className: "BreakerObject", binding: "BREAKER" }], cfBlobHeader: CF_BLOB };
    // ENVIRONMENT production: the deployed code path (geo from request.cf only, no override).
    const vars = { ENVIRONMENT: "production", CONTROL_PREFIX: "/_edge", CONFIG_REFRESH_MS: "5000" };
    const router = await startWorkerd({ script: routerJs, port: await freePort(), bindings: vars, ...common });
    servers.push(router);
    const routerNoTel = await startWorkerd({ script: routerJs, port: await freePort(), bindings: { ...vars, TELEMETRY_ENABLED: "false" }, ...common });
    servers.push(routerNoTel);
    const pass = await startWorkerd({ script: passJs, port: await freePort(), bindings: { ORIGIN: origins[1].url }, cfBlobHeader: CF_BLOB });
    servers.push(pass);

    const headers = { "user-agent": "autocannon", accept: "*/*" };
    // Warm every side (isolates, breaker objects, connection pools) before measuring.
    for (const s of [pass, router, routerNoTel]) await load(`${s.url}/warm`, { connections: CONNECTIONS, seconds: 1, headers, clients: true, perClient: clientHeaders });

    const before = await (await fetch(`${router.url}/__bench/stats`)).json();
    const opts = { connections: CONNECTIONS, seconds: SECONDS, headers, clients: true, perClient: clientHeaders };
    const run1 = (server) => load(`${server.url}/bench?x=1`, opts);
    let routed = 0;
    // Together: each round loads two sides at the same time, 16 connections each, from this
    // one process. Whatever the machine does during the round (this VM's cores drift by
    // ±20 % within seconds) it does to both, so the per-round ratio is the figure.
    const together = { pass: [], router: [], ratio: [], cpuShare: [], perCpu: [], noTel: [], routerT: [], ratioTel: [] };
    for (let i = 0; i < ROUNDS; i++) {
      const c0 = [cpuSeconds(pass.pid), cpuSeconds(router.pid)];
      const [p, r] = await Promise.all([run1(pass), run1(router)]);
      const cpu = [cpuSeconds(pass.pid) - c0[0], cpuSeconds(router.pid) - c0[1]];
      together.pass.push(p);
      together.router.push(r);
      together.ratio.push(r.total / p.total);
      // The two workers need not get equal CPU while they share the machine: requests per
      // CPU-second of each make the same comparison independent of the shares they got.
      together.cpuShare.push(cpu[1] / cpu[0]);
      together.perCpu.push(r.total / cpu[1] / (p.total / cpu[0]));
      const [n, t] = await Promise.all([run1(routerNoTel), run1(router)]);
      together.noTel.push(n);
      together.routerT.push(t);
      together.ratioTel.push(t.total / n.total);
      routed += r.total + t.total;
    }
    // Alone: each side by itself, alternating, for absolute throughput and latency. The ratio
    // of these rounds is reported too, but drift between a round's two halves makes it noisy.
    const alone = { pass: [], router: [], ratio: [] };
    for (let i = 0; i < ALONE_ROUNDS; i++) {
      const order = i % 2 ? ["router", "pass"] : ["pass", "router"];
      const got = {};
      for (const side of order) got[side] = await run1(side === "pass" ? pass : router);
      routed += got.router.total;
      alone.pass.push(got.pass);
      alone.router.push(got.router);
      alone.ratio.push(got.router.rps / got.pass.rps);
    }
    // Let the last telemetry flush land before reading the statement count.
    await new Promise((r) => setTimeout(r, 1500));
    const after = await (await fetch(`${router.url}/__bench/stats`)).json();
    const rps = (xs) => median(xs.map((x) => x.rps));
    const p = (xs, k) => median(xs.map((x) => x[k]));
    const errs = (xs) => xs.reduce((a, x) => a + x.errors + x.non2xx, 0);
    const range = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
    const table = [
      ["side", "req/s (median)", "p50 ms", "p99 ms", "errors"],
      ["together: passthrough", rps(together.pass).toFixed(0), p(together.pass, "p50"), p(together.pass, "p99"), errs(together.pass)],
      ["together: router", rps(together.router).toFixed(0), p(together.router, "p50"), p(together.router, "p99"), errs(together.router)],
      ["together: router / pass", `ratio ${round(median(together.ratio))}`, "", "", ""],
      ["together: per CPU-second", `ratio ${round(median(together.perCpu))}`, "", "", ""],
      ["together: telemetry on/off", `ratio ${round(median(together.ratioTel))}`, "", "", errs(together.noTel) + errs(together.routerT)],
      ["alone: passthrough", rps(alone.pass).toFixed(0), p(alone.pass, "p50"), p(alone.pass, "p99"), errs(alone.pass)],
      ["alone: router", rps(alone.router).toFixed(0), p(alone.router, "p50"), p(alone.router, "p99"), errs(alone.router)],
      ["alone: router / pass", `ratio ${round(median(alone.ratio))}`, "", "", ""],
    ];
    const stmts = after.d1.statements - before.d1.statements;
    const pairs = { router: [], noMemo: [], debug: [] };
    for (const [side, extra, script] of [["router", {}, pairJs], ["noMemo", { GEO_MEMO_SIZE: "0" }, pairJs], ["debug", {}, pairDebugJs]])
      for (let k = 0; k < 2; k++) {
        const s = await startWorkerd({ script, port: await freePort(), bindings: { ...vars, ...extra, ORIGIN: origins[1].url }, ...common });
        servers.push(s);
        pairs[side].push(s);
      }
    const same = await sameCore(pairs, originsPid, headers);
    const sameFig = (key, label) => ({
      value: round(median(same[key])),
      unit: "ratio (median of rounds)",
      baseline: `router's throughput over the passthrough's, both on one core at once, two processes swapping roles each round, ${label}; rounds ${range(same[key])}; core busy ${round(median(same.busy[key]))}`,
      target: "report",
    });
    if (same) {
      table.push(["same core: router / pass", `ratio ${round(median(same.router))}`, "", "", same.errors]);
      table.push(["same core: geo memo off", `ratio ${round(median(same.noMemo))}`, "", "", ""]);
      table.push(["same core: debug headers on", `ratio ${round(median(same.debug))}`, "", "", ""]);
    }
    const doCalls = after.breaker.reports + after.breaker.refreshes - (before.breaker.reports + before.breaker.refreshes);
    const togetherFig = {
      value: round(median(together.ratio)),
      unit: "ratio (median of rounds)",
      baseline: `router and passthrough loaded at the same time, 16 connections each; passthrough ${rps(together.pass).toFixed(0)} req/s meanwhile; rounds ${range(together.ratio)}; router's CPU over the passthrough's meanwhile ${round(median(together.cpuShare))}`,
    };
    return {
      table,
      figures: {
        // The headline is the strictest instrument: one shared core, processes swapped.
        router_vs_passthrough_throughput: same
          ? { ...sameFig("router", "16 returning clients, half Frankfurt (hash + cookie pool), half New York (p2c_ewma pool)"), target: ">= 0.85" }
          : { ...togetherFig, baseline: `${togetherFig.baseline} (taskset missing: the same-core instrument did not run)`, target: ">= 0.85" },
        router_vs_passthrough_throughput_together: { ...togetherFig, target: "report" },
        router_vs_passthrough_requests_per_cpu_second: {
          value: round(median(together.perCpu)),
          unit: "ratio (median of rounds)",
          baseline: `requests per CPU-second of the router's workerd over the passthrough's, in the same simultaneous rounds; rounds ${range(together.perCpu)}`,
          target: "report",
        },
        router_vs_passthrough_throughput_alone: {
          value: round(median(alone.ratio)),
          unit: "ratio (median of per-round pairs)",
          baseline: `each side alone, alternating; passthrough ${rps(alone.pass).toFixed(0)} req/s; rounds ${range(alone.ratio)}`,
          target: "report",
        },
        router_rps: { value: Math.round(rps(alone.router)), unit: "req/s", baseline: "alone, same run, 16 connections" },
        passthrough_rps: { value: Math.round(rps(alone.pass)), unit: "req/s", baseline: "alone, same run, 16 connections" },
        router_p99_ms: { value: p(alone.router, "p99"), unit: "ms", baseline: `alone; passthrough p99 ${p(alone.pass, "p99")} ms` },
        telemetry_on_vs_off_throughput: {
          value: round(median(together.ratioTel)),
          unit: "ratio (median of rounds)",
          baseline: `router with telemetry on and off, loaded at the same time; rounds ${range(together.ratioTel)}`,
          target: ">= 0.95",
        },
        d1_statements_per_1000_requests: { value: round((stmts * 1000) / Math.max(1, routed)), unit: "statements", baseline: `${stmts} statements for ${routed} requests`, target: "<= 5" },
        breaker_do_calls_per_1000_requests: { value: round((doCalls * 1000) / Math.max(1, routed)), unit: "calls (none awaited)", baseline: `${doCalls} background calls for ${routed} requests, ${origins.length} origins, staleness 1 s` },
        router_errors: { value: errs(together.router) + errs(together.routerT) + errs(alone.router), unit: "responses", baseline: "non-2xx or socket errors under load" },
        ...(same
          ? {
              router_vs_passthrough_cpu_geo_memo_off: sameFig("noMemo", "geo memo off (GEO_MEMO_SIZE=0), as for clients that never return"),
              router_vs_passthrough_debug_headers_on: sameFig("debug", "debug headers on (every response rebuilt with x-edge-pool, -origin, -attempts)"),
            }
          : {}),
      },
    };
  } finally {
    for (const s of servers) await s.stop();
    await stopOrigins();
    await rm(dir, { recursive: true, force: true });
  }
}

const round = (x) => Math.round(x * 1000) / 1000;

/** CPU seconds a process (all its threads) has run, from /proc. */
function cpuSeconds(pid) {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return ns / 1e9;
}

/**
 * Both workers pinned to core 1, this process and the origins to core 0, and both workers
 * loaded at once for each round. The two sides are two processes of one bundle
 * (bench/pair-entry.ts) that swap roles every round, so a difference between the two
 * processes falls on both sides alike. Needs taskset (util-linux) and two cores; otherwise
 * skipped (null).
 */
async function sameCore(pairs, originsPid, headers) {
  const pin = (cpu, pid) => execFileSync("taskset", ["-a", "-pc", String(cpu), String(pid)], { stdio: "ignore" });
  try {
    if (availableParallelism() < 2) return null;
    for (const pair of Object.values(pairs)) for (const s of pair) pin(1, s.pid);
    pin(0, process.pid);
    pin(0, originsPid);
  } catch {
    return null;
  }
  const out = { router: [], noMemo: [], debug: [], errors: 0, busy: { router: [], noMemo: [], debug: [] } };
  const opts = { connections: CONNECTIONS, seconds: 2, headers, clients: true, perClient: clientHeaders };
  const both = async (side, round, seconds = opts.seconds) => {
    const [a, b] = pairs[side];
    const [pass, router] = round % 2 ? [a, b] : [b, a];
    const c0 = cpuSeconds(a.pid) + cpuSeconds(b.pid);
    const t0 = performance.now();
    const [p, r] = await Promise.all([load(`${pass.url}/pass/bench?x=1`, { ...opts, seconds }), load(`${router.url}/bench?x=1`, { ...opts, seconds })]);
    // How busy the shared core was: near 1 means the workers, not the load generator, set the pace.
    out.busy[side].push((cpuSeconds(a.pid) + cpuSeconds(b.pid) - c0) / ((performance.now() - t0) / 1000));
    out.errors += p.errors + p.non2xx + r.errors + r.non2xx;
    return r.total / p.total;
  };
  // Warm both roles in every process.
  const sides = ["router", "noMemo", "debug"];
  for (const side of sides) for (const round of [0, 1]) await both(side, round, 1);
  for (const side of sides) out.busy[side].length = 0;
  // The sides take turns in rotating order, so no side always runs first or last.
  for (let i = 0; i < SAME_CORE_ROUNDS; i++) for (let k = 0; k < sides.length; k++) {
    const side = sides[(i + k) % sides.length];
    out[side].push(await both(side, i));
  }
  return out;
}

await runAsMain(import.meta.url, run);
