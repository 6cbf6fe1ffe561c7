import { get, post } from "../api";
import { secs, TimeChart } from "../chart";
import { confirmAction } from "../confirm";
import { badge, el, empty, num, patch, time } from "../dom";
import type { Events, Status } from "../types";
import type { View } from "../view";

/** Pools: each origin's health and breaker, operator actions behind a confirmation, timelines. */

const ACTIONS = [
  { action: "open", label: "Force open", says: "holds the breaker forced_open: the origin takes no traffic until closed or reset" },
  { action: "close", label: "Close (disable)", says: "holds the breaker disabled: it keeps counting but never opens" },
  { action: "reset", label: "Reset", says: "returns the breaker to normal closed with empty windows" },
] as const;

const PALETTE = ["#1f5fbf", "#b3261e", "#2e7d32", "#6b3fa0", "#a15c00", "#00707a"];

export function poolsView(): View {
  let list: HTMLElement;
  let notice: HTMLElement;
  let onChanged: () => void = () => undefined;
  const charts = new Map<string, { chart: TimeChart; key: string }>();

  async function act(origin: string, a: (typeof ACTIONS)[number]): Promise<void> {
    if (!(await confirmAction(`${a.label}: ${origin}?`, `This ${a.says}. It applies to every edge location at once.`, a.label))) return;
    try {
      const r = await post<{ breaker: { state: string } }>(`breakers/${encodeURIComponent(origin)}/${a.action}`);
      notice.textContent = `${origin}: breaker is now ${r.breaker.state.replace("_", " ")}.`;
    } catch (err) {
      notice.textContent = `${origin}: ${a.label} failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    onChanged();
  }

  function healthChart(poolId: string, origins: string[]): TimeChart {
    const key = origins.join(",");
    const have = charts.get(poolId);
    if (have && have.key === key) return have.chart;
    const chart = new TimeChart({
      title: `${poolId}: health-check latency (failed checks marked)`,
      unit: "ms",
      height: 150,
      series: [
        ...origins.map((o, i) => ({ label: o, stroke: PALETTE[i % PALETTE.length]!, spanGaps: true })),
        { label: "failed check", stroke: "#b3261e", markers: true },
      ],
    });
    charts.set(poolId, { chart, key });
    return chart;
  }

  return {
    mount(root, changed) {
      onChanged = changed;
      notice = el("p", { id: "pools-notice", role: "status", "aria-live": "polite" });
      list = el("div", { id: "pool-list" });
      root.append(notice, list);
    },

    async refresh() {
      const [status, events] = await Promise.all([get<Status>("status"), get<Events>("events?limit=500")]);
      patch(list, { status, events }, () => {
        if (status.pools.length === 0) return [empty("No config yet: PUT one to /_edge/api/config (npm start seeds a demo).")];
        return status.pools.map((p) => {
          const ids = p.origins.map((o) => o.id);
          const checks = events.health.filter((h) => ids.includes(h.origin)).slice().reverse();
          const chart = healthChart(p.id, ids);
          const x = checks.map((h) => secs(h.at));
          chart.set([x, ...ids.map((id) => checks.map((h) => (h.origin === id && h.healthy ? h.latency_ms : null))), checks.map((h) => (h.healthy ? null : (h.latency_ms ?? 0)))]);
          return el(
            "article",
            { class: "pool", "aria-labelledby": `pool-${p.id}` },
            el("h3", { id: `pool-${p.id}` }, `${p.id} `, el("span", { class: p.healthy ? "ok" : "bad" }, p.healthy ? "● healthy" : "○ unhealthy")),
            el("div", { class: "origins" }, ...p.origins.map((o) => originCard(o, events))),
            checks.length ? chart.figure : empty("No health checks recorded in the last day: the cron probes each origin every minute (npm start fires it; POST /_edge/api/scheduler/run does once)."),
          );
        });
      });
    },
  };

  function originCard(o: Status["pools"][number]["origins"][number], events: Events): HTMLElement {
    // Breaker transitions, and health checks where the result changed (plus the newest one).
    const checks = events.health.filter((e) => e.origin === o.id);
    const changes = checks.filter((e, k) => k === 0 || e.healthy !== checks[k - 1]?.healthy || e.healthy !== checks[k + 1]?.healthy);
    const timeline = [
      ...events.breaker.filter((e) => e.origin === o.id).map((e) => ({ at: e.at, node: el("span", {}, "breaker ", badge(e.from), " → ", badge(e.to), ` ${e.reason}`) })),
      ...changes.map((e) => ({ at: e.at, node: el("span", { class: e.healthy ? "" : "bad" }, e.healthy ? `check ok ${e.status ?? ""} ${num(e.latency_ms, 0)} ms` : `check failed: ${e.error ?? `status ${e.status ?? "?"}`}`) })),
    ]
      .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
      .slice(0, 12);
    const h = o.health;
    return el(
      "div",
      { class: "origin", "data-origin": o.id },
      el("h4", {}, o.id, " ", el("span", { class: o.healthy ? "ok" : "bad" }, o.healthy ? "takes traffic" : "out")),
      el(
        "dl",
        {},
        el("dt", {}, "breaker"),
        el("dd", { class: "breaker-state" }, badge(o.breaker.state)),
        el("dt", {}, "since"),
        el("dd", {}, time(o.breaker.since)),
        el("dt", {}, "reason"),
        el("dd", {}, o.breaker.reason || "–"),
        el("dt", {}, "health check"),
        el("dd", {}, h?.checked_at ? el("span", {}, h.healthy ? "up" : `down: ${h.last_error ?? "failing"}`, " (checked ", time(h.checked_at), ")") : "not probed yet"),
      ),
      el(
        "div",
        { class: "actions", role: "group", "aria-label": `Breaker actions for ${o.id}` },
        ...ACTIONS.map((a) => {
          const b = el("button", { type: "button", class: a.action === "open" ? "danger" : "", "data-action": a.action }, a.label);
          b.setAttribute("aria-label", `${a.label} breaker of ${o.id}`);
          b.addEventListener("click", () => void act(o.id, a));
          return b;
        }),
      ),
      el("h5", {}, "Timeline (newest first)"),
      timeline.length ? el("ol", { class: "timeline" }, ...timeline.map((t) => el("li", {}, time(t.at), " ", t.node))) : empty("No breaker transitions or health checks in the last day."),
    );
  }
}
