import "./style.css";
import { forgetToken, storeToken, storedToken, Unauthorized, Unreachable } from "./api";
import { byId } from "./dom";
import type { View } from "./view";
import { configView } from "./views/config";
import { forecastView } from "./views/forecast";
import { overviewView } from "./views/overview";
import { poolsView } from "./views/pools";

/**
 * The shell: hash routing between the four views, a poll every 5 s of the visible view
 * (no reload), a status line that says when data is live, stale or the API unreachable,
 * and the login. The first request goes out without a token, so a Cloudflare Access user
 * (whose requests carry the Access JWT) is never asked for one.
 */

const POLL_MS = 5000;
/** Data older than this is called stale (two polls missed). */
const STALE_MS = 12_000;

const views: Record<string, View> = { overview: overviewView(), pools: poolsView(), forecast: forecastView(), config: configView() };
const mounted = new Set<string>();
let current = "overview";
let lastOk = 0;
let lastError = "";
let timer: number | undefined;
let inflight = false;
let again = false;

const conn = byId("conn");
const fmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

function showConn(): void {
  if (lastError && lastOk === 0) {
    conn.dataset.state = "down";
    conn.textContent = `API unreachable: ${lastError}. Retrying every ${POLL_MS / 1000} s.`;
  } else if (lastError || Date.now() - lastOk > STALE_MS) {
    conn.dataset.state = "stale";
    conn.textContent = `Stale: showing data from ${fmt.format(lastOk)} (${Math.round((Date.now() - lastOk) / 1000)} s ago). ${lastError ? `API unreachable: ${lastError}.` : ""} Retrying every ${POLL_MS / 1000} s.`;
  } else {
    conn.dataset.state = "live";
    conn.textContent = `Live: updated ${fmt.format(lastOk)}, refreshing every ${POLL_MS / 1000} s.`;
  }
  conn.title = lastOk ? `last good data ${new Date(lastOk).toISOString()} (UTC)` : "";
}

function showLogin(message: string): void {
  byId("login").hidden = false;
  byId("login-error").textContent = message;
  byId("signout").hidden = true;
  conn.dataset.state = "idle";
  conn.textContent = "Signed out.";
  for (const p of document.querySelectorAll<HTMLElement>("[data-view-panel]")) p.hidden = true;
}

function viewName(): string {
  const name = location.hash.slice(1).replace(/[^a-z]/g, "");
  return name in views ? name : "overview";
}

async function refresh(): Promise<void> {
  if (inflight) {
    again = true;
    return;
  }
  inflight = true;
  const name = current;
  const view = views[name]!;
  const panel = byId(name);
  try {
    if (!mounted.has(name)) {
      view.mount(panel.querySelector<HTMLElement>(".body")!, () => void refresh());
      mounted.add(name);
    }
    await view.refresh();
    lastOk = Date.now();
    lastError = "";
    byId("login").hidden = true;
    byId("signout").hidden = storedToken() === null;
    panel.hidden = false;
  } catch (err) {
    if (err instanceof Unauthorized) {
      const had = storedToken() !== null;
      forgetToken();
      showLogin(had ? "The token was not accepted. Check ADMIN_TOKEN and try again." : "");
      return;
    }
    lastError = err instanceof Error ? err.message : String(err);
    if (!(err instanceof Unreachable)) console.warn(err);
    panel.hidden = lastOk === 0;
  } finally {
    inflight = false;
    if (byId("login").hidden) showConn();
    if (again) {
      again = false;
      void refresh();
    }
  }
}

function schedule(): void {
  window.clearInterval(timer);
  timer = window.setInterval(() => {
    if (document.visibilityState === "visible" && byId("login").hidden) void refresh();
    else if (byId("login").hidden) showConn();
  }, POLL_MS);
}

function route(): void {
  current = viewName();
  for (const p of document.querySelectorAll<HTMLElement>("[data-view-panel]")) p.hidden = p.id !== current || !byId("login").hidden;
  for (const a of document.querySelectorAll<HTMLAnchorElement>("nav a")) {
    if (a.dataset.view === current) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  void refresh();
}

byId<HTMLFormElement>("login").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = byId<HTMLInputElement>("token");
  storeToken(input.value.trim());
  input.value = "";
  byId("login-error").textContent = "Checking…";
  void refresh().then(() => {
    if (byId("login").hidden) {
      byId("login-error").textContent = "";
      route();
    }
  });
});
byId("signout").addEventListener("click", () => {
  forgetToken();
  showLogin("Signed out.");
});
window.addEventListener("hashchange", () => {
  // The views are panels of one page: start each at the top, focus on its content.
  window.scrollTo(0, 0);
  byId("main").focus({ preventScroll: true });
  route();
});
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && void refresh());
schedule();
route();
