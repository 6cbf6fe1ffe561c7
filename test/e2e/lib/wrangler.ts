import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../../..");
const wrangler = path.join(root, "node_modules/.bin/wrangler");

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(wrangler, args, { cwd: root, stdio: "ignore", env: { ...process.env, CI: "true" } });
    c.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`wrangler ${args.join(" ")} exited ${code}`))));
  });
}

export interface DevWorker {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * The real worker under `wrangler dev` on 127.0.0.1 (real local D1 and Durable Objects),
 * with its state in `persist` (so two runs can share one D1) and the given vars.
 */
export async function startDev(opts: { port: number; persist: string; vars: Record<string, string> }): Promise<DevWorker> {
  await run(["d1", "migrations", "apply", "aether-edge", "--local", "--persist-to", opts.persist]);
  const vars = Object.entries(opts.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const child: ChildProcess = spawn(
    wrangler,
    ["dev", "--ip", "127.0.0.1", "--port", String(opts.port), "--persist-to", opts.persist, "--show-interactive-dev-session=false", ...vars],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "true" }, detached: true },
  );
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${out}`);
    const up = await fetch(`${url}/_edge/health`).then((r) => r.status > 0, () => false);
    if (up) break;
    if (Date.now() > deadline) throw new Error(`wrangler dev did not come up: ${out}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || !child.pid) return;
      const pid = child.pid;
      process.kill(-pid, "SIGTERM");
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          try {
            process.kill(-pid, "SIGKILL");
          } catch {
            /* gone */
          }
          r();
        }, 5000);
        child.once("exit", () => (clearTimeout(t), r()));
      });
    },
  };
}
