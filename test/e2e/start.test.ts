import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The contract's first command, as an operator runs it: `npm start` on 127.0.0.1 brings up
 * local D1 with migrations, demo origins, the seeded config, the worker and the demo's
 * traffic, and prints the URLs and the admin token, quietly. Bounded: up to 60 s to come
 * up, 20 s for traffic to show, a few seconds to stop. A free port and its own persist
 * dir (D1, Durable Objects, the chaos state) keep it apart from any other `npm start`.
 */

const root = path.resolve(import.meta.dirname, "../..");
const persistTo = mkdtempSync(path.join(os.tmpdir(), "aether-start-e2e-"));
let child: ChildProcess;
let output = "";
let edge = "";

/** Every process (Linux /proc) but zombies, which are exited and only wait to be reaped. */
function processes(): { pid: number; ppid: number; pgrp: number }[] {
  const out: { pid: number; ppid: number; pgrp: number }[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after "(comm)": state, ppid, pgrp, … (comm itself may hold spaces and parentheses).
      const [state, ppid, pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state !== "Z") out.push({ pid: Number(name), ppid: Number(ppid), pgrp: Number(pgrp) });
    } catch {
      /* exited while we looked */
    }
  }
  return out;
}

/** Every live descendant of `pid`: wrangler, workerd, the fake clouds. */
function descendants(pid: number): number[] {
  const all = processes();
  const out: number[] = [];
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop()!;
    for (const c of all) if (c.ppid === p) (out.push(c.pid), todo.push(c.pid));
  }
  return out;
}

const chaos = async (...args: string[]) =>
  (await promisify(execFile)(process.execPath, [path.join(root, "scripts/chaos.mjs"), ...args], { cwd: root, env: { ...process.env, PERSIST_TO: persistTo }, timeout: 10_000 })).stdout;

const token = () => /admin token: (\S+)/.exec(output)?.[1] ?? "";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

beforeAll(async () => {
  const port = await freePort();
  edge = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [path.join(root, "scripts/start.mjs"), "--persist-to", persistTo], {
    cwd: root,
    env: { ...process.env, PORT: String(port), ENVIRONMENT: "" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!output.includes("Ctrl-C stops everything")) {
    if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
});

afterAll(async () => {
  if (child?.pid && child.exitCode === null) {
    process.kill(child.pid, "SIGTERM");
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
  rmSync(persistTo, { recursive: true, force: true });
});

describe("npm start", () => {
  it("prints the URLs and the token it wrote to .dev.vars", () => {
    const token = /^ADMIN_TOKEN=(.+)$/m.exec(readFileSync(path.join(root, ".dev.vars"), "utf8"))?.[1];
    expect(token).toBeTruthy();
    expect(output).toContain(`admin token: ${token}`);
    expect(output).toContain(`${edge}/_edge/dashboard/`);
  });

  it("routes a German client to the EU demo origin and a Singaporean one to the AP origin", async () => {
    const de = await fetch(`${edge}/hello`, { headers: { "x-edge-geo": "country=DE; continent=EU; lat=50.11; lon=8.68; colo=FRA" } });
    expect(de.status).toBe(200);
    expect(((await de.json()) as { origin: string }).origin).toBe("eu-west-1");
    const sg = await fetch(`${edge}/hello`, { headers: { "x-edge-geo": "country=SG; continent=AS; lat=1.35; lon=103.8; colo=SIN" } });
    expect(((await sg.json()) as { origin: string }).origin).toBe("ap-south-1");
  });

  it("serves the control API with the printed token, and the dashboard page without one", async () => {
    const token = /admin token: (\S+)/.exec(output)?.[1] ?? "";
    const health = (await (await fetch(`${edge}/_edge/health`)).json()) as { ok: boolean; config_version: number };
    expect(health.ok).toBe(true);
    expect(health.config_version).toBeGreaterThan(0);
    const status = await fetch(`${edge}/_edge/api/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(status.status).toBe(200);
    expect(((await status.json()) as { pools: unknown[] }).pools).toHaveLength(3);
    expect((await fetch(`${edge}/_edge/api/status`)).status).toBe(401);
    const page = await fetch(`${edge}/_edge/dashboard/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    // The page asks for the token in a labelled password field and names the four views.
    expect(html).toMatch(/<label for="token">Admin token<\/label>\s*<input id="token"[^>]*type="password"/);
    for (const view of ["Overview", "Pools", "Forecast &amp; scaling", "Config"]) expect(html).toContain(`>${view}</a>`);
    expect((await fetch(`${edge}/_edge/dashboard/app.js`)).status).toBe(200);
  });

  it("replays traffic from many countries through the edge: the metrics show at least 4 within 20 s", async () => {
    const deadline = Date.now() + 20_000;
    let countries = new Set<string>();
    while (Date.now() < deadline) {
      const res = await fetch(`${edge}/_edge/api/metrics`, { headers: { authorization: `Bearer ${token()}` } });
      expect(res.status).toBe(200);
      const rows = ((await res.json()) as { rows: { country: string; requests: number }[] }).rows;
      countries = new Set(rows.filter((r) => r.requests > 0).map((r) => r.country));
      if (countries.size >= 4) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect([...countries].sort().join(","), "countries with traffic").toMatch(/^(\w\w,){3,}\w\w$/);
  });

  it("takes a chaos command: kill eu-1, then status shows it DOWN", async () => {
    expect(await chaos("kill", "eu-1")).toMatch(/^eu-west-1\s+DOWN/m);
    const status = await chaos("status");
    expect(status).toMatch(/^eu-west-1\s+DOWN/m);
    expect(status).toMatch(/^us-east-1\s+up/m);
  });

  it("starts quietly: a Try: banner, none of wrangler's tables, request log or offline request.cf traces", () => {
    expect(output).toMatch(/Try:\n(.*\n)*.*dashboard.*\n(.*\n)*.*curl .*\n(.*\n)*.*npm run chaos -- kill eu-1/);
    for (const noise of ["│", "Migrations", "[wrangler:info] GET", "[wrangler:info]", "ENOTFOUND"]) expect(output).not.toContain(noise);
  });

  it("stops every process it started on SIGINT, and the chaos state with them", async () => {
    const pids = descendants(child.pid!);
    expect(pids.length).toBeGreaterThanOrEqual(3); // wrangler, its workerd, the fake clouds
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    process.kill(child.pid!, "SIGINT");
    expect(await exited).toBe(0);
    const left = processes();
    expect(left.filter((p) => pids.includes(p.pid))).toEqual([]);
    expect(left.filter((p) => p.pgrp === child.pid)).toEqual([]); // its own group is empty too
    await expect(chaos("status")).rejects.toThrow(/no running demo found/);
  });
});
