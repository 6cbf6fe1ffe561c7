// Breaker fleet benchmark (virtual time): how many requests reach a dead origin before the
// fleet isolates it, how long until the shared breaker opens, and how many Durable Object
// calls the warm path makes. Runs the real BreakerClient and the object's real report logic
// (test/unit/breaker/fleet-sim.ts) with a simulated 30 ms object round trip, against a
// local-only baseline (every object call fails, so each isolate must find out by itself).
// The itty-durable vs native RPC comparison on workerd is bench/breaker-itty.mjs.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = await mkdtemp(path.join(tmpdir(), "aether-breaker-bench-"));
const out = path.join(dir, "fleet-sim.mjs");
await esbuild.build({
  entryPoints: [path.join(root, "test/unit/breaker/fleet-sim.ts")],
  outfile: out,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["cloudflare:*"],
  logLevel: "error",
});
const { simulate } = await import(pathToFileURL(out).href);

const scenario = {
  colos: 3,
  isolatesPerColo: 10,
  rpsPerIsolate: 10,
  origins: 4,
  rttMs: 30,
  deadAtMs: 5_000,
  recoverAtMs: 9_000,
  durationMs: 30_000,
  retries: 2,
  breaker: { open_ms: 5000, open_max_ms: 60_000 },
  seed: 7,
};
const shared = await simulate({ ...scenario, mode: "shared" });
const local = await simulate({ ...scenario, mode: "local" });
// Warm path at a busier isolate (200 req/s each, no failure during the run).
const warm = await simulate({ ...scenario, colos: 2, isolatesPerColo: 2, rpsPerIsolate: 200, deadAtMs: 10_000, recoverAtMs: 10_000, durationMs: 10_000, mode: "shared" });
await rm(dir, { recursive: true, force: true });

const ms = (x) => (x === null ? null : Math.round(x));
const rows = [
  ["dead-origin attempts, fleet-wide", shared.deadAttemptsFleet, local.deadAttemptsFleet],
  ["dead-origin attempts, worst isolate", shared.deadAttemptsPerIsolateMax, local.deadAttemptsPerIsolateMax],
  ["dead-origin attempts, mean per isolate", shared.deadAttemptsPerIsolateMean.toFixed(2), local.deadAttemptsPerIsolateMean.toFixed(2)],
  ["attempts after isolation (probes)", shared.deadAttemptsAfterIsolation, local.deadAttemptsAfterIsolation],
  ["time to global open (ms)", ms(shared.timeToGlobalOpenMs), local.timeToGlobalOpenMs ?? "never"],
  ["time to close after recovery (ms)", ms(shared.timeToCloseAfterRecoveryMs), local.timeToCloseAfterRecoveryMs ?? "n/a"],
  ["half-open to closed (ms)", ms(shared.halfOpenToCloseMs), "n/a"],
  ["client-visible errors", shared.clientErrors, local.clientErrors],
];
console.error(`\nBreaker fleet simulation: ${scenario.colos} colos x ${scenario.isolatesPerColo} isolates x ${scenario.rpsPerIsolate} req/s, ${scenario.origins} origins, o0 dead ${scenario.deadAtMs}-${scenario.recoverAtMs} ms, object RTT ${scenario.rttMs} ms`);
console.error("metric".padEnd(42) + "shared (DO)".padStart(14) + "local only".padStart(14));
for (const [k, a, b] of rows) console.error(String(k).padEnd(42) + String(a).padStart(14) + String(b).padStart(14));
console.error(`warm path (4 isolates x 200 req/s, 4 origins): ${warm.warmCallsPer1000.toFixed(2)} object calls per 1,000 requests, ${warm.warmAwaited} awaited, max ${warm.warmMaxCallsPerIsolateOriginInterval} call per isolate per origin per interval\n`);

const figures = {
  breaker_dead_attempts_fleet: { value: shared.deadAttemptsFleet, unit: "requests", baseline: `local-only breakers: ${local.deadAttemptsFleet}`, target: "fewer than local-only" },
  breaker_dead_attempts_per_isolate_max: { value: shared.deadAttemptsPerIsolateMax, unit: "requests", baseline: `local-only: ${local.deadAttemptsPerIsolateMax}`, target: "<= consecutive_failures (5)" },
  breaker_time_to_global_open: { value: ms(shared.timeToGlobalOpenMs) ?? -1, unit: "ms", baseline: "local-only: never opens fleet-wide", target: "< 2 x staleness_ms (2000)" },
  breaker_time_to_close_after_recovery: { value: ms(shared.timeToCloseAfterRecoveryMs) ?? -1, unit: "ms", baseline: `open_ms ${scenario.breaker.open_ms}, outage ${scenario.recoverAtMs - scenario.deadAtMs} ms`, target: "open_ms - outage + half-open-to-close (first probes pass)" },
  breaker_half_open_to_close: { value: ms(shared.halfOpenToCloseMs) ?? -1, unit: "ms", baseline: `staleness_ms ${1000}`, target: "<= 2 x staleness_ms (2000)" },
  breaker_client_errors: { value: shared.clientErrors, unit: "requests", baseline: `local-only: ${local.clientErrors}`, target: "0" },
  breaker_warm_do_calls_per_1000: { value: Number(warm.warmCallsPer1000.toFixed(3)), unit: "calls/1000 req", baseline: "1000 (one awaited DO call per request)", target: "<= 1 report per isolate per origin per interval" },
  breaker_warm_awaited_calls: { value: warm.warmAwaited, unit: "calls", baseline: "1000 per 1000 requests with a DO hop", target: "0" },
  breaker_warm_max_calls_per_isolate_interval: { value: warm.warmMaxCallsPerIsolateOriginInterval, unit: "calls", baseline: "-", target: "<= 1" },
};
console.log(JSON.stringify({ figures }));
