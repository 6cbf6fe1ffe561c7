// itty-durable vs native RPC for the breaker's report call, both on `workerd serve` in the
// same run (bench/itty/worker.js). Measures end-to-end calls/s and latency p50/p99 with
// autocannon (one object call per HTTP request, A/B alternating), plus in-worker sequential
// and concurrent call loops (no HTTP in the measurement). Targets 127.0.0.1 only.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { bundle, freePort, startWorkerd } from "./lib/workerd.mjs";
import { load, median } from "./lib/load.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = 16;

const dir = await mkdtemp(path.join(tmpdir(), "aether-itty-"));
let server;
try {
  const script = await bundle("bench/itty/worker.js", path.join(dir, "worker.js"));
  server = await startWorkerd({
    script,
    port: await freePort(),
    durableObjects: [
      { className: "BreakerObject", binding: "BREAKER" },
      { className: "IttyBreaker", binding: "ITTY" },
    ],
  });
  const u = server.url;
  for (const via of ["rpc", "itty", "none"]) {
    const r = await fetch(`${u}/${via}`);
    if (!r.ok) throw new Error(`${via}: ${r.status} ${await r.text()}`);
    await load(`${u}/${via}`, { connections: CONNECTIONS, seconds: 1 });
  }
  const res = { rpc: [], itty: [], none: [await load(`${u}/none`, { connections: CONNECTIONS, seconds: SECONDS })] };
  // A/B alternating, starting side swapped each round, so drift on a shared machine hits both.
  for (let i = 0; i < ROUNDS; i++)
    for (const via of i % 2 ? ["itty", "rpc"] : ["rpc", "itty"]) res[via].push(await load(`${u}/${via}`, { connections: CONNECTIONS, seconds: SECONDS }));
  const loopRuns = { rpc: { seq: [], con: [] }, itty: { seq: [], con: [] } };
  for (let i = 0; i < ROUNDS; i++)
    for (const via of ["rpc", "itty"]) {
      const seqRun = await (await fetch(`${u}/loop?via=${via}&n=200&c=1`)).json();
      const conRun = await (await fetch(`${u}/loop?via=${via}&n=800&c=16`)).json();
      loopRuns[via].seq.push((seqRun.ms * 1000) / seqRun.calls);
      loopRuns[via].con.push((conRun.calls / conRun.ms) * 1000);
    }
  const loops = Object.fromEntries(Object.entries(loopRuns).map(([k, v]) => [k, { seqUs: median(v.seq), conCps: median(v.con) }]));
  const errors = Object.values(res).flat().reduce((a, r) => a + r.errors + r.non2xx, 0);
  const agg = (via) => ({ rps: median(res[via].map((r) => r.rps)), p50: median(res[via].map((r) => r.p50)), p99: median(res[via].map((r) => r.p99)) });
  const rpc = agg("rpc");
  const itty = agg("itty");
  const none = agg("none");
  const wins = [rpc.rps >= itty.rps, rpc.p50 <= itty.p50, rpc.p99 <= itty.p99, loops.rpc.seqUs <= loops.itty.seqUs, loops.rpc.conCps >= loops.itty.conCps];
  const rpcWins = wins.filter(Boolean).length;
  console.error(`\nBreaker report call, workerd serve, ${CONNECTIONS} connections, ${ROUNDS} x ${SECONDS}s alternating (median); errors ${errors}`);
  console.error("path".padEnd(34) + "calls/s".padStart(10) + "p50 ms".padStart(9) + "p99 ms".padStart(9) + "in-worker seq µs/call".padStart(24) + "in-worker c=16 calls/s".padStart(25));
  const row = (name, a, l) => console.error(name.padEnd(34) + a.rps.toFixed(0).padStart(10) + String(a.p50).padStart(9) + String(a.p99).padStart(9) + (l ? l.seqUs.toFixed(0) : "-").padStart(24) + (l ? l.conCps.toFixed(0) : "-").padStart(25));
  row("native RPC (stub.report)", rpc, loops.rpc);
  row("itty-durable 2.4.1 (proxy stub)", itty, loops.itty);
  row("no object call (HTTP floor)", none);
  console.error(`native RPC better on ${rpcWins} of 5 measures (calls/s, p50, p99, in-worker µs/call, in-worker c=16 calls/s)`);
  console.error(`decision: ${rpcWins >= 3 ? "native RPC; itty-durable stays a bench-only devDependency" : "itty-durable ahead on most measures in this run: re-run before deciding"}\n`);
  const figures = {
    breaker_report_rpc_wins_of_5: { value: rpcWins, unit: "measures", baseline: "itty-durable on the same 5 measures", target: ">= 3 to keep native RPC" },
    breaker_report_rpc_calls_per_s: { value: Math.round(rpc.rps), unit: "calls/s", baseline: `itty-durable ${Math.round(itty.rps)}`, target: ">= itty-durable" },
    breaker_report_itty_calls_per_s: { value: Math.round(itty.rps), unit: "calls/s", baseline: `native RPC ${Math.round(rpc.rps)}`, target: "informational" },
    breaker_report_rpc_p50: { value: rpc.p50, unit: "ms", baseline: `itty-durable ${itty.p50}`, target: "<= itty-durable" },
    breaker_report_rpc_p99: { value: rpc.p99, unit: "ms", baseline: `itty-durable ${itty.p99}`, target: "<= itty-durable" },
    breaker_report_itty_p50: { value: itty.p50, unit: "ms", baseline: `native RPC ${rpc.p50}`, target: "informational" },
    breaker_report_itty_p99: { value: itty.p99, unit: "ms", baseline: `native RPC ${rpc.p99}`, target: "informational" },
    breaker_report_rpc_in_worker_us: { value: Math.round(loops.rpc.seqUs), unit: "µs/call", baseline: `itty-durable ${Math.round(loops.itty.seqUs)}`, target: "<= itty-durable" },
    breaker_report_rpc_in_worker_c16: { value: Math.round(loops.rpc.conCps), unit: "calls/s", baseline: `itty-durable ${Math.round(loops.itty.conCps)}`, target: ">= itty-durable" },
  };
  console.log(JSON.stringify({ figures }));
} finally {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
}
