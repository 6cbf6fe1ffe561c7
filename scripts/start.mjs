// `npm start`: the whole local stack on 127.0.0.1. Applies the D1 migrations locally,
// makes sure .dev.vars has an ADMIN_TOKEN, starts three demo origins (one per region),
// runs the worker with `wrangler dev`, fires its cron every minute, seeds a demo config,
// replays a sped-up day of geo-mixed traffic through the edge (scripts/lib/traffic.mjs),
// and prints the URLs, the token and what to try. `--no-demo` starts the worker alone and
// keeps whatever config the local D1 holds. Quiet by default: wrangler's own output is
// shown only with --verbose, except its errors. Every child runs in its own process group,
// and SIGINT/SIGTERM stop every group before this process exits.
import { spawn } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { startOrigin } from "./lib/origin-server.mjs";
import { startChaosControl } from "./lib/chaos-control.mjs";
import { DEMO_AWS_KEYS, startFakeClouds } from "./lib/fake-cloud.mjs";
import { createQuietFilter } from "./lib/quiet-output.mjs";
import { StartArgsError, USAGE, parseStartArgs } from "./lib/start-args.mjs";
import { PLACES, formatSummary, startTraffic } from "./lib/traffic.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT ?? 8787);
const environment = process.env.ENVIRONMENT || "development";
const wranglerBin = path.join(root, "node_modules/.bin/wrangler");
const children = [];

/** Reports, stops everything and exits; the promise never resolves, so `await fail(…)` ends the start. */
function fail(msg, code = 1) {
  if (!stopping) console.error(`npm start: ${msg}`);
  void shutdown(code);
  return new Promise(() => {});
}
let opts;
try {
  opts = parseStartArgs(process.argv.slice(2), process.env);
} catch (e) {
  if (!(e instanceof StartArgsError) && e?.name !== "TrafficOptionError") throw e;
  console.error(`npm start: ${e.message}`);
  process.exit(2);
}
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`npm start: PORT must be a port number, got ${process.env.PORT}`);
  process.exit(2);
}
const persistTo = opts.persistTo ? path.resolve(opts.persistTo) : undefined;
const persistArgs = persistTo ? ["--persist-to", persistTo] : [];
const stateFile = path.join(persistTo ?? path.join(root, ".wrangler"), "demo-state.json");

/** Adds `name` to .dev.vars when absent (the demo's fake AWS keys), keeping every other line. */
function ensureVar(name, value) {
  const file = path.join(root, ".dev.vars");
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (text.split(/\r?\n/).some((l) => l.trim().startsWith(`${name}=`))) return;
  writeFileSync(file, `${text}${text && !text.endsWith("\n") ? "\n" : ""}${name}=${value}\n`, { mode: 0o600 });
}

/** Adds ADMIN_TOKEN to .dev.vars when absent, keeping every other line as it was. */
function ensureAdminToken() {
  const file = path.join(root, ".dev.vars");
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  const line = text.split(/\r?\n/).find((l) => /^\s*ADMIN_TOKEN\s*=/.test(l));
  if (line) return line.replace(/^\s*ADMIN_TOKEN\s*=\s*/, "").replace(/^["']|["']$/g, "").trim();
  const token = randomBytes(24).toString("base64url");
  const sep = text === "" || text.endsWith("\n") ? "" : "\n";
  writeFileSync(file, `${text}${sep}ADMIN_TOKEN=${token}\n`, { mode: 0o600 });
  return token;
}

/** Runs a command to its end in its own group; quiet: its output is kept and shown only if it fails. */
function run(cmd, argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: root, stdio: opts.verbose ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "true" }, detached: true });
    children.push(child);
    let out = "";
    child.stdout?.on("data", (d) => (out += d));
    child.stderr?.on("data", (d) => (out += d));
    child.once("exit", (code) => {
      if (code === 0) return resolve();
      if (!stopping) process.stderr.write(out);
      reject(new Error(`${path.basename(cmd)} ${argv.join(" ")} exited with ${code}`));
    });
  });
}

/** Copies a child's stream to ours line by line; quiet: only the lines the filter keeps. */
function relay(stream, to) {
  const show = opts.verbose ? () => true : createQuietFilter();
  createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
    if (show(line)) to.write(`${line}\n`);
  });
}

async function waitFor(url, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    if (stopping) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${ms / 1000}s`);
    await delay(250);
  }
}

/** Each demo pool scales an Auto Scaling group at the local fake AWS, from its forecasts. */
const DEMO_GROUPS = ["us-east", "eu-west", "ap-south"].map((p) => `demo-${p}:2:1:10`);
const scaling = (pool, endpoint) =>
  endpoint ? { scaling: { provider: "aws", mode: "forecast_and_scale", target: { region: "us-east-1", group: `demo-${pool}` }, min: 1, max: 10, rps_per_instance: 5, headroom: 0.2, endpoint } } : {};

function demoConfig(origins, cloud) {
  const [us, eu, ap] = origins;
  return {
    debug_headers: true,
    steering: {
      policy: "proximity",
      fallback_pool: "us-east",
      geo: { DE: ["eu-west", "us-east"], EU: ["eu-west"], AS: ["ap-south"], default: ["us-east"] },
    },
    pools: [
      { id: "us-east", location: { lat: 38.9, lon: -77.04 }, selection: "p2c_ewma", origins: [{ id: "us-east-1", url: us.url, capacity_rps: 500 }], ...scaling("us-east", cloud) },
      { id: "eu-west", location: { lat: 53.35, lon: -6.26 }, selection: "p2c_ewma", origins: [{ id: "eu-west-1", url: eu.url, capacity_rps: 500 }], ...scaling("eu-west", cloud) },
      { id: "ap-south", location: { lat: 1.35, lon: 103.82 }, selection: "p2c_ewma", origins: [{ id: "ap-south-1", url: ap.url, capacity_rps: 500 }], ...scaling("ap-south", cloud) },
    ],
  };
}

/** True while any process of the group led by `pid` is alive. */
function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

let stopping = false;
const trafficStop = new AbortController();
const timers = [];

/**
 * Stops the traffic, then every child's process group (wrangler's includes the workerd it
 * started): SIGTERM, up to 3 s to go, then SIGKILL. Exits once no group is left.
 */
async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  trafficStop.abort();
  for (const t of timers) clearInterval(t);
  for (const c of children) if (groupAlive(c.pid)) try { process.kill(-c.pid, "SIGTERM"); } catch { /* gone */ }
  const deadline = Date.now() + 3000;
  while (children.some((c) => groupAlive(c.pid)) && Date.now() < deadline) await delay(50);
  for (const c of children) if (groupAlive(c.pid)) try { process.kill(-c.pid, "SIGKILL"); } catch { /* gone */ }
  try {
    if (JSON.parse(readFileSync(stateFile, "utf8")).pid === process.pid) rmSync(stateFile);
  } catch {
    /* no state file (no demo), or another run's */
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

const token = ensureAdminToken();
await run(wranglerBin, ["d1", "migrations", "apply", "aether-edge", "--local", ...persistArgs]).catch((e) => fail(e.message));

const origins = [];
if (opts.demo) {
  for (const [i, region] of ["us-east", "eu-west", "ap-south"].entries()) {
    origins.push(await startOrigin({ id: `${region}-1`, region, port: port + 101 + i }).catch(() => startOrigin({ id: `${region}-1`, region })));
  }
}

if (opts.demo) await startChaosControl(origins, stateFile);
let cloud;
if (opts.demo) {
  for (const [k, v] of Object.entries(DEMO_AWS_KEYS)) ensureVar(k, v);
  cloud = await startFakeClouds(root, children, DEMO_GROUPS).catch((e) => (console.error(`fake clouds: ${e.message}; the demo runs without scaling calls`), undefined));
}
if (stopping) await new Promise(() => {}); // a signal came during the start: shutdown() exits

const worker = spawn(
  wranglerBin,
  ["dev", "--ip", "127.0.0.1", "--port", String(port), "--var", `ENVIRONMENT:${environment}`, "--test-scheduled", "--show-interactive-dev-session=false", ...persistArgs],
  { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "true" }, detached: true },
);
children.push(worker);
relay(worker.stdout, process.stdout);
relay(worker.stderr, process.stderr);
worker.once("exit", (code) => {
  if (stopping) return;
  console.error(`npm start: wrangler dev exited (${code})${opts.verbose ? "" : "; run `npm start -- --verbose` to see all its output"}`);
  void shutdown(code || 1);
});

const edge = `http://127.0.0.1:${port}`;
await waitFor(`${edge}/_edge/health`, 120_000).catch((e) => fail(e.message));
if (opts.demo && !stopping) {
  const res = await fetch(`${edge}/_edge/api/config?note=npm%20start%20demo`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(demoConfig(origins, cloud)),
  });
  if (!res.ok) await fail(`seeding the demo config failed: ${res.status} ${await res.text()}`);
}

// wrangler dev does not fire cron triggers by itself; --test-scheduled exposes them here.
const fireCron = () => fetch(`${edge}/__scheduled?cron=*+*+*+*+*`).catch((e) => stopping || console.error(`cron: ${e.message}`));
timers.push(setInterval(fireCron, 60_000));

if (opts.traffic && !stopping) {
  // One day from now (UTC), sped up; each request waits at most 10 s for its answer.
  const traffic = startTraffic({
    target: edge,
    dayMs: opts.trafficDayMs,
    peakRps: opts.trafficRps,
    concurrency: opts.trafficConcurrency,
    seed: randomInt(2 ** 31),
    now: Date.now,
    sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
    fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.any([trafficStop.signal, AbortSignal.timeout(10_000)]) }),
    signal: trafficStop.signal,
  });
  let last = traffic.stats();
  let lastAt = Date.now();
  timers.push(
    setInterval(() => {
      const cur = traffic.stats();
      console.log(formatSummary(last, cur, Date.now() - lastAt));
      last = cur;
      lastAt = Date.now();
    }, 30_000),
  );
}

const minutes = (ms) => (ms >= 60_000 ? `${+(ms / 60_000).toFixed(1)} min` : `${Math.round(ms / 1000)} s`);
const chaos = `${persistTo ? `PERSIST_TO=${persistTo} ` : ""}npm run chaos --`;
const lines = [
  "",
  `Aether Edge is running (ENVIRONMENT=${environment}).`,
  `  edge:        ${edge}/`,
  `  dashboard:   ${edge}/_edge/dashboard/`,
  `  admin token: ${token}   (in .dev.vars; the dashboard asks for it; the API takes it as Authorization: Bearer …)`,
];
if (opts.demo) lines.push(`  origins:     ${origins.map((o) => `${o.id} ${o.url}`).join(", ")}`);
if (cloud) lines.push(`  fake AWS:    ${cloud}/_fake/state   (the demo pools scale there)`);
if (opts.traffic) {
  lines.push(`  traffic:     a day from ${PLACES.length} countries every ${minutes(opts.trafficDayMs)}, up to ${opts.trafficRps} req/s, ${opts.trafficConcurrency} in flight (--no-traffic: none)`);
}
lines.push("", "Try:", `  the dashboard:    open ${edge}/_edge/dashboard/ and paste the token`);
// x-edge-geo is honoured only outside production (there the edge reads request.cf).
if (environment === "production") lines.push(`  one request:      curl ${edge}/hello`);
else lines.push(`  one request:      curl -H 'x-edge-geo: country=DE; continent=EU; lat=50.11; lon=8.68' ${edge}/hello`);
lines.push(`  the control API:  curl -H 'authorization: Bearer ${token}' ${edge}/_edge/api/status`);
if (opts.demo) {
  lines.push(`  break an origin:  ${chaos} kill eu-1     then watch its breaker open and traffic fail over`);
  lines.push(`  more chaos:       ${chaos} slow eu-1 800ms | errors eu-1 50% | heal eu-1 | status`);
} else lines.push("  (--no-demo: no demo origins, config left as the local D1 holds it)");
lines.push("", `Ctrl-C stops everything.${opts.verbose ? "" : " (--verbose shows wrangler's own output)"}`);
if (!stopping) console.log(lines.join("\n"));
