// The operators' dashboard: a static page reading the control API with the admin token
// (kept in sessionStorage for this tab only). No build step, no dependencies.
"use strict";

const API = new URL("../api/", location.href);
const TOKEN_KEY = "aether-edge-token";

const $ = (sel) => document.querySelector(sel);
const text = (v) => (v === null || v === undefined ? "–" : String(v));

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(text(c)));
  return node;
}

async function api(path) {
  const res = await fetch(new URL(path, API), { headers: { authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ""}` } });
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin("The token was not accepted.");
    throw new Error("unauthorized");
  }
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

function showLogin(message = "") {
  $("#login").hidden = false;
  $("#login-error").textContent = message;
  for (const p of document.querySelectorAll("[data-view-panel]")) p.hidden = true;
}

const views = {
  async overview() {
    const [status, metrics] = await Promise.all([api("status"), api("metrics")]);
    const origins = status.pools.flatMap((p) => p.origins);
    const facts = $("#overview-facts");
    facts.replaceChildren(
      el("dt", {}, "config version"), el("dd", {}, status.config_version),
      el("dt", {}, "pools healthy"), el("dd", {}, `${status.pools.filter((p) => p.healthy).length} of ${status.pools.length}`),
      el("dt", {}, "origins healthy"), el("dd", {}, `${origins.filter((o) => o.healthy).length} of ${origins.length}`),
    );
    const byPool = new Map();
    for (const r of metrics.rows) {
      const agg = byPool.get(r.pool) ?? { requests: 0, errors: 0, p95: 0 };
      agg.requests += r.requests;
      agg.errors += r.errors;
      agg.p95 = Math.max(agg.p95, r.p95_ms ?? 0);
      byPool.set(r.pool, agg);
    }
    $("#traffic tbody").replaceChildren(...[...byPool].map(([pool, a]) => el("tr", {}, el("td", {}, pool), el("td", {}, a.requests), el("td", {}, a.errors), el("td", {}, a.p95 ? a.p95.toFixed(1) : "–"))));
  },
  async pools() {
    const status = await api("status");
    $("#pool-list").replaceChildren(
      ...status.pools.map((p) =>
        el(
          "article",
          {},
          el("h3", {}, `${p.id} ${p.healthy ? "● healthy" : "○ unhealthy"}`),
          el(
            "table",
            {},
            el("thead", {}, el("tr", {}, ...["origin", "healthy", "breaker", "since", "reason", "health check"].map((h) => el("th", {}, h)))),
            el(
              "tbody",
              {},
              ...p.origins.map((o) =>
                el("tr", {}, el("td", {}, o.id), el("td", {}, o.healthy ? "yes" : "no"), el("td", {}, o.breaker.state), el("td", {}, o.breaker.since), el("td", {}, o.breaker.reason), el("td", {}, o.health?.last_error ?? (o.health?.healthy === false ? "down" : "ok"))),
              ),
            ),
          ),
        ),
      ),
    );
  },
  async forecast() {
    const { forecasts } = await api("forecasts?limit=50");
    $("#forecasts tbody").replaceChildren(
      ...forecasts.map((f) => {
        const n = f.points[0];
        const next = n ? `${n.mean.toFixed(0)} (${n.lo90?.toFixed(0) ?? "–"}–${n.hi90?.toFixed(0) ?? "–"})` : "–";
        return el("tr", {}, el("td", {}, f.pool), el("td", {}, f.at), el("td", {}, f.model), el("td", {}, f.backtest_wape?.toFixed(3)), el("td", {}, next), el("td", {}, f.anomaly ? f.anomaly.reason : "none"));
      }),
    );
  },
  async config() {
    const c = await api("config").catch(() => null);
    $("#config-version").textContent = c ? `version ${c.version}` : "no config stored yet";
    $("#config-json").textContent = c ? JSON.stringify(c.config, null, 2) : "";
  },
};

async function render() {
  if (!sessionStorage.getItem(TOKEN_KEY)) return showLogin();
  $("#login").hidden = true;
  const name = (location.hash.slice(1) || "overview").replace(/[^a-z]/g, "");
  const view = views[name] ? name : "overview";
  for (const p of document.querySelectorAll("[data-view-panel]")) p.hidden = p.id !== view;
  for (const a of document.querySelectorAll("nav a")) a.toggleAttribute("aria-current", a.dataset.view === view);
  try {
    await views[view]();
  } catch (err) {
    if (String(err.message) !== "unauthorized") console.error(err);
  }
}

$("#login").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("#token").value);
  $("#token").value = "";
  void render();
});
window.addEventListener("hashchange", () => void render());
void render();
