import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * The worker as `npm start` runs it (wrangler dev, assets and local D1), but on its own
 * persistence folder so the seeded data is the test's alone: migrations applied, seed SQL
 * executed, then `wrangler dev` on 127.0.0.1 with a test admin token.
 */

const root = path.resolve(import.meta.dirname, "../../..");
const wrangler = path.join(root, "node_modules/.bin/wrangler");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

function run(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    const c = spawn(wrangler, argv, { cwd: root, env: { ...process.env, CI: "true" }, stdio: ["ignore", "pipe", "pipe"] });
    c.stdout.on("data", (d: Buffer) => (out += d.toString()));
    c.stderr.on("data", (d: Buffer) => (out += d.toString()));
    c.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`wrangler ${argv.join(" ")} exited ${code}:\n${out}`))));
  });
}

export interface Stack {
  url: string;
  token: string;
  stop(): Promise<void>;
}

export async function startStack(seedSql: string, token: string): Promise<Stack> {
  const dir = await mkdtemp(path.join(tmpdir(), "aether-dash-"));
  const persist = path.join(dir, "state");
  await run(["d1", "migrations", "apply", "aether-edge", "--local", "--persist-to", persist]);
  await writeFile(path.join(dir, "seed.sql"), seedSql);
  await run(["d1", "execute", "aether-edge", "--local", "--persist-to", persist, "--file", path.join(dir, "seed.sql"), "--yes"]);
  // Secrets and vars for this run only; the repo's .dev.vars (if any) is not read.
  const envFile = path.join(dir, "test.env");
  await writeFile(envFile, `ADMIN_TOKEN=${token}\nENVIRONMENT=development\n`);
  const port = await freePort();
  const inspector = await freePort();
  let log = "";
  const child: ChildProcess = spawn(
    wrangler,
    ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--persist-to", persist, "--env-file", envFile, "--var", `ADMIN_TOKEN:${token}`, "--var", "ENVIRONMENT:development", "--show-interactive-dev-session=false"],
    { cwd: root, env: { ...process.env, CI: "true" }, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        /* gone */
      }
      await new Promise((r) => {
        const t = setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {
            /* gone */
          }
          r(undefined);
        }, 5000);
        child.once("exit", () => (clearTimeout(t), r(undefined)));
      });
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited ${child.exitCode}:\n${log}`);
    const ok = await fetch(`${url}/_edge/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not come up:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, token, stop };
}
