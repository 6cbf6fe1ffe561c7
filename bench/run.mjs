// `npm run bench`: runs every benchmark part as its own process (so one part's heap and
// JIT state cannot colour another's), prints each part's table, and writes
// bench/results/latest.json as the contract describes. A part that fails is reported and
// makes the run exit non-zero, after the others have run.
import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsx = path.join(root, "node_modules/.bin/tsx");

/** [name, command, args]; each prints its table on stderr and `{"figures":…}` as its last stdout line. */
const PARTS = [
  ["pick", tsx, ["bench/pick.ts"]],
  ["memory", process.execPath, ["--experimental-websocket", "bench/memory.mjs"]],
  ["router", process.execPath, ["bench/router.mjs"]],
  ["ladder", process.execPath, ["bench/ladder.mjs"]],
  ["failover", process.execPath, ["bench/failover.mjs"]],
  ["breaker", process.execPath, ["bench/breaker.mjs"]],
  ["itty-durable vs native RPC", process.execPath, ["bench/breaker-itty.mjs"]],
  ["telemetry", tsx, ["bench/telemetry.ts"]],
  ["forecast", tsx, ["bench/forecast.ts"]],
  ["anomaly", tsx, ["bench/anomaly.ts"]],
  ["scaling", tsx, ["bench/scaling.ts"]],
  ["fleet", tsx, ["bench/fleet.ts"]],
  ["soak", process.execPath, ["bench/soak.mjs"]],
];

const only = process.argv.slice(2);

function runPart(name, cmd, args) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    // Every part is bounded; this is the backstop.
    const limit = setTimeout(() => child.kill("SIGKILL"), 10 * 60_000);
    child.once("exit", (code) => {
      clearTimeout(limit);
      const last = out.trim().split("\n").pop() ?? "";
      let figures;
      try {
        figures = JSON.parse(last).figures;
      } catch {
        figures = undefined;
      }
      resolve({ name, code, figures, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const cpu = os.cpus()[0]?.model ?? "unknown cpu";
const machine = `${os.platform()} ${os.arch()}, ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
const at = new Date().toISOString();

// A partial run (`node bench/run.mjs router`) updates its own figures and keeps the rest,
// each old figure with its own `at` and `machine` (taken from the file's top level when
// the figure predates per-figure stamps).
const figures = {};
if (only.length) {
  try {
    const old = JSON.parse(await readFile(path.join(root, "bench/results/latest.json"), "utf8"));
    for (const [k, f] of Object.entries(old.figures ?? {})) {
      figures[k] = { ...f, at: f.at ?? old.at, machine: f.machine ?? old.machine };
    }
  } catch {
    /* no earlier results */
  }
}
const failed = [];
for (const [name, cmd, args] of PARTS) {
  if (only.length && !only.some((o) => name.startsWith(o))) continue;
  console.error(`\n== ${name}`);
  const r = await runPart(name, cmd, args);
  if (r.code !== 0 || !r.figures) {
    failed.push(name);
    console.error(`!! ${name} failed (exit ${r.code})`);
    continue;
  }
  for (const [k, f] of Object.entries(r.figures)) figures[k] = { ...f, at, machine };
  console.error(`(${name}: ${r.seconds.toFixed(0)} s)`);
}

// Top-level `machine`/`at` describe this run; each figure carries the run it came from.
const result = { machine, at, figures };
await mkdir(path.join(root, "bench/results"), { recursive: true });
await writeFile(path.join(root, "bench/results/latest.json"), `${JSON.stringify(result, null, 2)}\n`);

console.log("\nfigure".padEnd(46) + "value".padEnd(14) + "unit".padEnd(22) + "baseline / target");
for (const [k, f] of Object.entries(figures)) {
  const target = f.target ? ` (target ${f.target})` : "";
  console.log(k.padEnd(45) + String(f.value).padEnd(14) + String(f.unit).padEnd(22) + `${f.baseline ?? ""}${target}`);
}
console.log(`\nwrote bench/results/latest.json${failed.length ? `; FAILED: ${failed.join(", ")}` : ""}`);
process.exit(failed.length ? 1 : 0);
