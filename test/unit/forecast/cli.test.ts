import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DAY, MIN, T0, dailySine } from "./synthetic.js";

// Runs the real command (tsx scripts/backtest.ts) on small generated files.
const dir = mkdtempSync(join(tmpdir(), "aether-backtest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(name: string, content: string, ...args: string[]) {
  const file = join(dir, name);
  writeFileSync(file, content);
  const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/backtest.ts", file, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function csv(days: number, stepMs: number, fmt: (t: number) => string, header = ""): string {
  const lines = header ? [header] : [];
  for (let t = T0; t < T0 + days * DAY; t += stepMs) lines.push(`${fmt(t)},${dailySine(t).toFixed(3)},extra`);
  return `${lines.join("\n")}\n`;
}

const iso = (t: number) => new Date(t).toISOString().slice(0, 19).replace("T", " ");

// Each case spawns tsx (about 1 s, more on a busy 2-core machine): allow 30 s a case.
describe("npm run backtest", { timeout: 30_000 }, () => {
  it("prints the contract's JSON for an ISO file with a header and extra columns", () => {
    const r = run("iso.csv", csv(4, MIN, iso, "timestamp,value,other"), "--step", "5m", "--horizon", "15m", "--anomalies");
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ step_s: 300, horizon_s: 900 });
    expect(out.eval_points).toBeGreaterThan(0);
    const models = out.models as Record<string, Record<string, number>>;
    const baselines = out.baselines as Record<string, Record<string, number>>;
    expect(Object.keys(baselines).sort()).toEqual(["last_value", "seasonal_naive_day"]);
    for (const s of [...Object.values(models), ...Object.values(baselines)]) {
      expect(Object.keys(s).sort()).toEqual(["coverage90", "mae", "mase", "smape", "wape"]);
      expect(s.wape).toBeLessThan(1); // fractions, not percent
    }
    expect([...Object.keys(models), ...Object.keys(baselines)]).toContain(out.chosen);
    expect(Array.isArray(out.anomalies)).toBe(true);
  });

  it("accepts epoch seconds without a header, default step and horizon", () => {
    const r = run("epoch.csv", csv(2, 5 * MIN, (t) => String(t / 1000)));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ step_s: 300, horizon_s: 3600 });
  });

  it.each([
    ["empty.csv", ""],
    ["header-only.csv", "timestamp,value\n"],
    ["bad-value.csv", "2024-01-01T00:00:00,1\n2024-01-01T00:01:00,abc\n2024-01-01T00:02:00,3\n"],
    ["bad-time.csv", "2024-01-01T00:00:00,1\nyesterday,2\n"],
    ["single.csv", "timestamp,value\n2024-01-01 00:00:00,5\n"],
  ])("rejects %s with one line on stderr and exit code 2", (name, content) => {
    const r = run(name, content);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("rejects a missing file and a bad duration with exit code 2", () => {
    const missing = spawnSync(process.execPath, ["--import", "tsx", "scripts/backtest.ts", join(dir, "nope.csv")], { encoding: "utf8" });
    expect(missing.status).toBe(2);
    const bad = run("ok.csv", csv(1, 5 * MIN, iso), "--step", "fast");
    expect(bad.code).toBe(2);
  });
});
