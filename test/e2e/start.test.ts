import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The contract's first command, as an operator runs it: `npm start` on 127.0.0.1 brings up
 * local D1 with migrations, demo origins, the seeded config and the worker, and prints
 * the URLs and the admin token.
 */

const root = path.resolve(import.meta.dirname, "../..");
let child: ChildProcess;
let output = "";
let edge = "";

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
  child = spawn(process.execPath, [path.join(root, "scripts/start.mjs")], {
    cwd: root,
    env: { ...process.env, PORT: String(port), ENVIRONMENT: "" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 150_000;
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
});
