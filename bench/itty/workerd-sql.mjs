// Starts `workerd serve` with Durable Objects on SQLite storage (a temporary on-disk
// directory). bench/lib/workerd.mjs uses in-memory object storage, which has no SQL API, and
// BreakerObject needs SQLite; this variant keeps that harness's shape (bundle, then serve).
import { spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { COMPAT_DATE, WORKERD } from "../lib/workerd.mjs";

const q = (s) => JSON.stringify(String(s));

/** @param {{ script: string, port: number, durableObjects: {className: string, binding: string}[], bindings?: Record<string,string> }} opts */
export async function startWorkerdSql(opts) {
  const dir = await mkdtemp(path.join(tmpdir(), "aether-workerd-sql-"));
  await copyFile(opts.script, path.join(dir, "worker.js"));
  await mkdir(path.join(dir, "do"));
  const bindings = [
    ...Object.entries(opts.bindings ?? {}).map(([k, v]) => `(name = ${q(k)}, text = ${q(v)})`),
    ...opts.durableObjects.map((d) => `(name = ${q(d.binding)}, durableObjectNamespace = ${q(d.className)})`),
  ];
  const namespaces = opts.durableObjects.map((d) => `(className = ${q(d.className)}, uniqueKey = ${q(`aether-${d.className}`)}, enableSql = true)`);
  const capnp = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    (name = "do-disk", disk = (path = ${q(path.join(dir, "do"))}, writable = true)),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${opts.port}", http = (), service = "main") ],
);
const mainWorker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = ${q(COMPAT_DATE)},
  compatibilityFlags = ["nodejs_compat"],
  bindings = [${bindings.join(", ")}],
  durableObjectNamespaces = [${namespaces.join(", ")}],
  durableObjectStorage = (localDisk = "do-disk"),
);
`;
  await writeFile(path.join(dir, "config.capnp"), capnp);
  const child = spawn(WORKERD, ["serve", path.join(dir, "config.capnp"), "--experimental"], { stdio: ["ignore", "ignore", "pipe"] });
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
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => {
          const t = setTimeout(() => (child.kill("SIGKILL"), r(undefined)), 3000);
          child.once("exit", () => (clearTimeout(t), r(undefined)));
        });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
