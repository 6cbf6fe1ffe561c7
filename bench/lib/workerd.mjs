// Runs an ESM worker bundle under `workerd serve` (the sharpest local instrument: no Node
// proxy in front, Durable Objects included) from a generated capnp config, on 127.0.0.1.
import { spawn } from "node:child_process";
import { mkdtemp, mkdir, writeFile, rm, copyFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const WORKERD = path.join(root, "node_modules/.bin/workerd");
export const COMPAT_DATE = "2026-04-01";

/**
 * Bundles a worker entry (TS or JS) into one ESM file, as wrangler would.
 * @param {string} entry path relative to the project root
 * @param {string} outfile absolute path
 * @param {Record<string,string>} [define]
 */
export async function bundle(entry, outfile, define = {}) {
  await esbuild.build({
    entryPoints: [path.resolve(root, entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*", "node:*"],
    define,
    logLevel: "error",
  });
  return outfile;
}

const q = (s) => JSON.stringify(String(s));

/**
 * Where each workerd's files go, Durable Object storage included: memory (tmpfs) when the
 * machine has it. In production a Durable Object runs on another machine, so its SQLite file
 * creation and syncs never stall the worker's thread; here they share one event loop, and on
 * this VM's disk the 10,000-origin run (one new object per origin touched) spent most of its
 * time in the kernel (bench/README.md, "Memory and throughput with 10,000 origins").
 */
const SCRATCH = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();

/**
 * Starts workerd serving `script` on 127.0.0.1:port.
 * cfBlobHeader: workerd reads `request.cf` from this request header's JSON, as Cloudflare's
 * edge would fill it (so a benchmark can take the production geo path).
 * @param {{ script: string, port: number, bindings?: Record<string,string>, durableObjects?: {className: string, binding: string}[], compatibilityFlags?: string[], inspectorPort?: number, cfBlobHeader?: string }} opts
 * @returns {Promise<{ url: string, stop(): Promise<void>, pid: number }>}
 */
export async function startWorkerd(opts) {
  const dir = await mkdtemp(path.join(SCRATCH, "aether-workerd-"));
  await copyFile(opts.script, path.join(dir, "worker.js"));
  // SQLite-backed Durable Objects need on-disk storage (in-memory storage has no SQL API).
  await mkdir(path.join(dir, "do"));
  const dos = opts.durableObjects ?? [];
  const bindings = [
    ...Object.entries(opts.bindings ?? {}).map(([k, v]) => `(name = ${q(k)}, text = ${q(v)})`),
    ...dos.map((d) => `(name = ${q(d.binding)}, durableObjectNamespace = ${q(d.className)})`),
  ];
  // Same flags as wrangler.toml (none: plain Workers timers, no Node.js compatibility layer).
  const flags = (opts.compatibilityFlags ?? []).map(q).join(", ");
  const capnp = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
    (name = "do-disk", disk = (path = ${q(path.join(dir, "do"))}, writable = true)),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${opts.port}", http = (${opts.cfBlobHeader ? `cfBlobHeader = ${q(opts.cfBlobHeader)}` : ""}), service = "main") ],
);
const mainWorker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = ${q(COMPAT_DATE)},
  compatibilityFlags = [${flags}],
  bindings = [${bindings.join(", ")}],
  ${dos.length ? `durableObjectNamespaces = [${dos.map((d) => `(className = ${q(d.className)}, uniqueKey = ${q(`aether-${d.className}`)}, enableSql = true)`).join(", ")}],
  durableObjectStorage = (localDisk = "do-disk"),` : ""}
  globalOutbound = "internet",
);
`;
  await writeFile(path.join(dir, "config.capnp"), capnp);
  // inspectorPort: attach Chrome DevTools (or CDP's Profiler) to profile the worker.
  const extra = opts.inspectorPort ? [`--inspector-addr=127.0.0.1:${opts.inspectorPort}`] : [];
  const child = spawn(WORKERD, ["serve", path.join(dir, "config.capnp"), "--experimental", ...extra], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workerd exited: ${stderr}`);
    try {
      await fetch(`${url}/__ready`);
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`workerd did not start: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => {
          const t = setTimeout(() => {
            child.kill("SIGKILL");
            r(undefined);
          }, 3000);
          child.once("exit", () => {
            clearTimeout(t);
            r(undefined);
          });
        });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
}
