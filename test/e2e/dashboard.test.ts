import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quantile } from "../../src/telemetry/histogram.js";
import { scalingFixture } from "./dashboard/fixtures.js";
import { configs, FAST_BUCKET, MODEL, SLOW_BUCKET, seedSql, TRIP_REASON, WAPE } from "./dashboard/seed.js";
import { type Stack, startStack } from "./dashboard/stack.js";

/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) against the
 * worker under wrangler dev with seeded D1 data. `GET /api/scaling` belongs to another issue:
 * until it ships, page.route answers it with a contract-shaped fixture.
 * Screenshots go to test-results/dashboard/ (git-ignored).
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = path.resolve(import.meta.dirname, "../../test-results/dashboard");
const TOKEN = "dashboard-test-token";
const VIEWS = ["overview", "pools", "forecast", "config"] as const;
// Chromium logs every non-2xx fetch as a console error; the page causes two on purpose: the
// first request goes out without a token (so Cloudflare Access users are never asked for one)
// and is refused with 401, and the "wrong token" case. Those alone are allowed.
const EXPECTED_HTTP = /Failed to load resource: the server responded with a status of 401/;

let stack: Stack;
let browser: Browser;
let now = 0;

async function api<T>(p: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${stack.url}/_edge/api/${p}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" } });
  if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  now = Date.now();
  stack = await startStack(seedSql(now), TOKEN);
  for (const c of configs()) await api("config", { method: "PUT", body: JSON.stringify(c) });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

interface Session {
  context: BrowserContext;
  page: Page;
  errors: string[];
  requests: { url: string; auth: string | undefined }[];
}

async function open(viewport: { width: number; height: number }, scaling: "fixture" | "404" = "fixture"): Promise<Session> {
  const context = await browser.newContext({ viewport, timezoneId: "Europe/Berlin", locale: "en-GB" });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: Session["requests"] = [];
  page.on("console", (m) => m.type() === "error" && !EXPECTED_HTTP.test(m.text()) && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("request", (r) => r.url().includes("/_edge/api/") && requests.push({ url: r.url(), auth: r.headers().authorization }));
  await page.route("**/_edge/api/scaling*", (route) =>
    scaling === "fixture"
      ? route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(scalingFixture(now)) })
      : route.fulfill({ status: 404, contentType: "application/json", body: JSON.stringify({ error: "not_found", message: "no control route" }) }),
  );
  await page.goto(`${stack.url}/_edge/dashboard/`);
  await page.getByLabel("Admin token").fill(TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#conn[data-state=live]").waitFor();
  return { context, page, errors, requests };
}

async function view(page: Page, name: (typeof VIEWS)[number]): Promise<void> {
  await page.locator(`nav a[data-view=${name}]`).click();
  await page.locator(`#${name}:not([hidden])`).waitFor();
}

/** A uPlot chart drew: a canvas with a real size inside the view. */
async function chartDrawn(page: Page, name: string): Promise<void> {
  await page.locator(`#${name} figure.chart canvas`).first().waitFor();
  const w = await page.locator(`#${name} figure.chart canvas`).first().evaluate((c) => (c as HTMLCanvasElement).width);
  expect(w).toBeGreaterThan(100);
}

describe("dashboard in chromium", () => {
  it("asks for no token first (Access), then refuses a wrong one", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const seen: (string | undefined)[] = [];
    page.on("request", (r) => r.url().includes("/_edge/api/") && seen.push(r.headers().authorization));
    await page.goto(`${stack.url}/_edge/dashboard/`);
    await page.getByLabel("Admin token").waitFor();
    expect(seen[0]).toBeUndefined();
    await page.getByLabel("Admin token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.locator("#login-error").textContent()).toContain("not accepted");
    expect(await page.locator("#login").isVisible()).toBe(true);
    expect(await page.locator("#overview").isVisible()).toBe(false);
    expect(await page.evaluate(() => sessionStorage.getItem("aether-edge-token"))).toBeNull();
    expect(page.url()).not.toContain("not-the-token");
    await context.close();
  });

  it("Overview: real numbers from the API, the pool's p95 from its merged histogram, charts, alerts", async () => {
    const s = await open({ width: 1280, height: 900 });
    const { page } = s;
    await chartDrawn(page, "overview");
    const kpi = await page.locator("#ov-kpis").innerText();
    expect(kpi).toMatch(/Requests\/s\s+\d/);
    // eu-west: 9 parts in the fast bucket, 1 in the slow one, every minute: the merged p95 lies
    // in the slow bucket; the largest per-row p95 (the slow row's own) is higher.
    const hist = Array.from({ length: 34 }, (_, k) => (k === FAST_BUCKET ? 900 : k === SLOW_BUCKET ? 100 : 0));
    const merged = quantile(hist, 0.95)!;
    const rowMax = quantile(hist.map((c, k) => (k === SLOW_BUCKET ? c : 0)), 0.95)!;
    const row = page.locator("#ov-pools tr", { hasText: "eu-west" });
    const shown = Number((await row.locator("td").nth(5).innerText()).replace(/,/g, ""));
    expect(Math.abs(shown - merged)).toBeLessThan(merged * 0.05);
    expect(Math.abs(shown - rowMax)).toBeGreaterThan(rowMax * 0.05);
    await expect.poll(() => page.locator("#ov-alerts").innerText()).toContain("Anomaly");
    expect(await page.locator("#ov-alerts").innerText()).toContain("Scaling call failed");
    expect(await page.locator("#ov-geo").innerText()).toMatch(/DE\s+FRA/);
    await page.locator("#ov-range-day").check();
    await expect.poll(() => page.locator("#ov-kpis").innerText()).toContain("last day");
    expect(s.errors).toEqual([]);
    await s.context.close();
  });

  it("Pools: states, timelines and a chart; a breaker action behind a confirmation changes the state shown", async () => {
    const s = await open({ width: 1280, height: 900 });
    const { page } = s;
    await view(page, "pools");
    await chartDrawn(page, "pools");
    const card = page.locator('.origin[data-origin="eu-west-2"]');
    await expect.poll(() => card.innerText()).toContain(TRIP_REASON);
    expect(await card.locator(".breaker-state").innerText()).toBe("closed");
    await card.getByRole("button", { name: "Force open breaker of eu-west-2" }).click();
    await page.locator("#confirm[open]").waitFor();
    await page.locator("#confirm").getByRole("button", { name: "Cancel" }).click();
    expect(await card.locator(".breaker-state").innerText()).toBe("closed");
    await card.getByRole("button", { name: "Force open breaker of eu-west-2" }).click();
    await page.locator("#confirm").getByRole("button", { name: "Force open" }).click();
    await expect.poll(() => page.locator('.origin[data-origin="eu-west-2"] .breaker-state').innerText(), { timeout: 15_000 }).toBe("forced open");
    await page.locator('.origin[data-origin="eu-west-2"]').getByRole("button", { name: "Reset breaker of eu-west-2" }).click();
    await page.locator("#confirm").getByRole("button", { name: "Reset" }).click();
    await expect.poll(() => page.locator('.origin[data-origin="eu-west-2"] .breaker-state').innerText(), { timeout: 15_000 }).toBe("closed");
    expect(s.errors).toEqual([]);
    await s.context.close();
  });

  it("Forecast & scaling: model and backtest error, a null-mean step, the chart, decisions and call outcomes", async () => {
    const s = await open({ width: 1280, height: 900 });
    const { page } = s;
    await view(page, "forecast");
    await page.locator("#fc-pool").selectOption("eu-west");
    await expect.poll(() => page.locator("#fc-model-name").textContent()).toBe(MODEL);
    expect(await page.locator("#fc-wape").innerText()).toBe(WAPE.toFixed(3));
    await chartDrawn(page, "forecast");
    expect(await page.locator("#fc-points").innerText()).toContain("no forecast");
    await expect.poll(() => page.locator("#fc-scaling").innerText()).toContain("Throttling");
    expect(await page.locator("#fc-scaling").innerText()).toContain("2 → 4");
    expect(await page.locator("#fc-scaling figure.chart canvas").count()).toBe(1);
    expect(s.errors).toEqual([]);
    await s.context.close();
  });

  it("Forecast & scaling says so when the deployment has no /scaling", async () => {
    const s = await open({ width: 1280, height: 900 }, "404");
    await view(s.page, "forecast");
    await s.page.locator("#fc-pool").selectOption("eu-west");
    await expect.poll(() => s.page.locator("#fc-scaling").innerText()).toContain("not available");
    await s.context.close();
  });

  it("Config: versions, a diff between two, rollback behind a confirmation changes the active version", async () => {
    const s = await open({ width: 1280, height: 900 });
    const { page } = s;
    await view(page, "config");
    const before = (await api<{ version: number }>("config")).version;
    await expect.poll(() => page.locator("#config-version").textContent()).toBe(`Active: version ${before}`);
    await page.locator("#diff-from").selectOption(String(before - 1));
    await page.locator("#diff-to").selectOption(String(before));
    await page.getByRole("button", { name: "Show diff" }).click();
    await expect.poll(() => page.locator("#diff-summary").textContent()).toMatch(/2 changed line/);
    expect(await page.locator("pre.diff del").first().innerText()).toContain('"debug_headers": true');
    await page.getByRole("button", { name: `Roll back to v${before - 1}` }).click();
    await page.locator("#confirm").getByRole("button", { name: `Roll back to v${before - 1}` }).click();
    await expect.poll(() => page.locator("#config-version").textContent(), { timeout: 15_000 }).toBe(`Active: version ${before + 1}`);
    expect((await api<{ version: number; config: { debug_headers: boolean } }>("config")).config.debug_headers).toBe(true);
    expect(s.errors).toEqual([]);
    await s.context.close();
  });

  it("shows stale data and an unreachable API plainly, and recovers", async () => {
    const s = await open({ width: 1280, height: 800 });
    await s.page.route("**/_edge/api/**", (route) => route.abort("connectionrefused"));
    await s.page.locator("#conn[data-state=stale]").waitFor({ timeout: 15_000 });
    expect(await s.page.locator("#conn").innerText()).toMatch(/Stale: showing data from .* API unreachable/);
    expect(await s.page.locator("#ov-kpis").innerText()).toMatch(/Requests\/s\s+\d/);
    await s.page.unroute("**/_edge/api/**");
    await s.page.locator("#conn[data-state=live]").waitFor({ timeout: 15_000 });
    await s.context.close();
  });

  it("the whole dashboard is under 150 KB gzip", () => {
    const dir = path.resolve(import.meta.dirname, "../../dashboard");
    const files = readdirSync(dir).filter((f) => !f.startsWith(".") && statSync(path.join(dir, f)).isFile());
    expect(files).toEqual(expect.arrayContaining(["index.html", "app.js", "app.css"]));
    const gz = files.reduce((n, f) => n + gzipSync(readFileSync(path.join(dir, f)), { level: 9 }).length, 0);
    expect(gz).toBeLessThan(150 * 1024);
  });

  for (const [label, viewport] of [["desktop", { width: 1280, height: 800 }], ["phone", { width: 390, height: 844 }]] as const) {
    it(`every view at ${label} size: a chart, no sideways overflow, a screenshot`, async () => {
      const s = await open(viewport);
      for (const v of VIEWS) {
        await view(s.page, v);
        if (v === "forecast") await s.page.locator("#fc-pool").selectOption("eu-west");
        await chartDrawn(s.page, v);
        await s.page.evaluate(() => window.scrollTo(0, 0));
        // The ResizeObserver has fitted every chart of the view to its box.
        await s.page.waitForFunction(() =>
          Array.from(document.querySelectorAll("section:not([hidden]) .chart-host")).every((h) => {
            const c = h.querySelector("canvas");
            return !c || Math.abs(c.getBoundingClientRect().width - h.clientWidth) < 2;
          }),
        );
        const overflow = await s.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${v} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
        await s.page.screenshot({ path: path.join(SHOTS, `${v}-${label}.png`), fullPage: label === "phone" });
      }
      expect(s.errors).toEqual([]);
      await s.context.close();
    });
  }
});
