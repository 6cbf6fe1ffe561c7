// `npm start`: the whole local stack on 127.0.0.1. Applies the D1 migrations locally,
// makes sure .dev.vars has an ADMIN_TOKEN, starts three demo origins (one per region),
// runs the worker with `wrangler dev`, fires its cron every minute, seeds a demo config,
// and prints the URLs and the token. `--no-demo` starts the worker alone and keeps
// whatever config the local D1 holds.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startOrigin } from "./lib/origin-server.mjs";
import { startChaosControl } from "./lib/chaos-control.mjs";
import { DEMO_AWS_KEYS, startFakeClouds } from "./lib/fake-cloud.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const demo = !args.includes("--no-demo");
const port = Number(process.env.PORT ?? 8787);
const environment = process.env.ENVIRONMENT || "development";
const wranglerBin = path.join(root, "node_modules/.bin/wrangler");
const children = [];

function fail(msg) {
  console.error(`npm start: ${msg}`);
  process.exit(1);
}
if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`PORT must be a port number, got ${process.env.PORT}`);

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

function run(cmd, argv, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: root, stdio: "inherit", env: { ...process.env, CI: "true" }, ...opts });
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} ${argv.join(" ")} exited with ${code}`))));
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
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${ms / 1000}s`);
    await new Promise((r) => setTimeout(r, 250));
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

/** Stops wrangler and the workerd processes it started (its own process group). */
function shutdown(code = 0) {
  for (const c of children) {
    if (c.exitCode !== null) continue;
    try {
      process.kill(-c.pid, "SIGTERM");
    } catch {
      c.kill("SIGTERM");
    }
  }
  setTimeout(() => {
    for (const c of children) if (c.exitCode === null) try { process.kill(-c.pid, "SIGKILL"); } catch { /* gone */ }
    process.exit(code);
  }, 1500).unref();
  if (children.every((c) => c.exitCode !== null)) process.exit(code);
}
let stopping = false;
process.on("SIGINT", () => ((stopping = true), shutdown(0)));
process.on("SIGTERM", () => ((stopping = true), shutdown(0)));

const token = ensureAdminToken();
await run(wranglerBin, ["d1", "migrations", "apply", "aether-edge", "--local"]);

const origins = [];
if (demo) {
  for (const [i, region] of ["us-east", "eu-west", "ap-south"].entries()) {
    origins.push(await startOrigin({ id: `${region}-1`, region, port: port + 101 + i }).catch(() => startOrigin({ id: `${region}-1`, region })));
  }
}

if (demo) await startChaosControl(origins, path.join(root, ".wrangler/demo-state.json"));
let cloud;
if (demo) {
  for (const [k, v] of Object.entries(DEMO_AWS_KEYS)) ensureVar(k, v);
  cloud = await startFakeClouds(root, children, DEMO_GROUPS).catch((e) => (console.error(`fake clouds: ${e.message}; the demo runs without scaling calls`), undefined));
}

const worker = spawn(
  wranglerBin,
  ["dev", "--ip", "127.0.0.1", "--port", String(port), "--var", `ENVIRONMENT:${environment}`, "--test-scheduled", "--show-interactive-dev-session=false"],
  { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, CI: "true" }, detached: true },
);
children.push(worker);
worker.once("exit", (code) => {
  if (stopping) return;
  console.error(`wrangler dev exited (${code})`);
  shutdown(code ?? 1);
});

const edge = `http://127.0.0.1:${port}`;
await waitFor(`${edge}/_edge/health`, 120_000);
if (demo) {
  const res = await fetch(`${edge}/_edge/api/config?note=npm%20start%20demo`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(demoConfig(origins, cloud)),
  });
  if (!res.ok) fail(`seeding the demo config failed: ${res.status} ${await res.text()}`);
}

// wrangler dev does not fire cron triggers by itself; --test-scheduled exposes them here.
const fireCron = () => fetch(`${edge}/__scheduled?cron=*+*+*+*+*`).catch((e) => console.error(`cron: ${e.message}`));
setInterval(fireCron, 60_000);

console.log(`
Aether Edge is running (ENVIRONMENT=${environment}).
  edge:        ${edge}/            (try: curl -H 'x-edge-geo: country=DE; lat=50.11; lon=8.68' ${edge}/hello)
  health:      ${edge}/_edge/health
  dashboard:   ${edge}/_edge/dashboard/
  admin token: ${token}          (in .dev.vars; send as Authorization: Bearer …)
${cloud ? `  fake AWS:    ${cloud}/_fake/state   (the demo pools scale there; decisions: GET ${edge}/_edge/api/scaling)\n` : ""}${origins.map((o) => `  origin:      ${o.id} ${o.url}   (knobs: POST ${o.url}/__origin/knobs {"latency_ms":200,"error_rate":0.5})`).join("\n")}
${demo ? "  chaos:       npm run chaos -- kill eu-1 | slow eu-1 800ms | errors eu-1 50% | heal eu-1 | status\n" : "  (--no-demo: no demo origins, config left as the local D1 holds it)\n"}Ctrl-C stops everything.`);
