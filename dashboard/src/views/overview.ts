import { get, getOptional } from "../api";
import { secs, TimeChart } from "../chart";
import { el, empty, num, patch, pct, table, time } from "../dom";
import { callFailed, type Forecasts, type Scaling, type Status, type Summary } from "../types";
import type { View } from "../view";

/** Overview: rate, errors and p95 over the last hour or day, traffic by place, pools at a glance, open alerts. */

const RANGES = { hour: { label: "Last hour", ms: 3_600_000 }, day: { label: "Last day", ms: 86_400_000 } } as const;
type Range = keyof typeof RANGES;

export function overviewView(): View {
  let range: Range = "hour";
  let kpis: HTMLElement, alerts: HTMLElement, pools: HTMLElement, geo: HTMLElement, note: HTMLElement;
  const rps = new TimeChart({ title: "Requests per second", unit: "req/s", series: [{ label: "req/s", stroke: "#1f5fbf", fill: "rgba(31,95,191,0.08)" }] });
  const errs = new TimeChart({ title: "Error rate (connect, timeout, 5xx)", unit: "%", series: [{ label: "errors %", stroke: "#b3261e" }] });
  const p95 = new TimeChart({ title: "p95 latency (all pools, merged histograms)", unit: "ms", series: [{ label: "p95 ms", stroke: "#6b3fa0" }] });

  return {
    mount(root, changed) {
      const picker = el(
        "fieldset",
        { class: "range" },
        el("legend", {}, "Time range"),
        ...(Object.keys(RANGES) as Range[]).map((r) => {
          const input = el("input", { type: "radio", name: "ov-range", id: `ov-range-${r}`, value: r, checked: r === range });
          input.addEventListener("change", () => {
            range = r;
            changed();
          });
          return el("label", { for: `ov-range-${r}` }, input, ` ${RANGES[r].label}`);
        }),
      );
      kpis = el("div", { class: "kpis", id: "ov-kpis" });
      note = el("div", { id: "ov-note" });
      alerts = el("div", { id: "ov-alerts" });
      pools = el("div", { id: "ov-pools" });
      geo = el("div", { id: "ov-geo" });
      root.append(
        picker,
        kpis,
        note,
        el("div", { class: "charts" }, rps.figure, errs.figure, p95.figure),
        el("div", { class: "cols" }, el("div", {}, el("h3", {}, "Open alerts"), alerts), el("div", {}, el("h3", {}, "Pools"), pools)),
        el("h3", {}, "Traffic by country and edge location"),
        geo,
      );
    },

    async refresh() {
      const to = Date.now();
      const from = to - RANGES[range].ms;
      const q = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
      const [status, summary, fc, scaling] = await Promise.all([
        get<Status>("status"),
        get<Summary>(`metrics/summary?${q}${range === "hour" ? "&step_s=60" : ""}`),
        get<Forecasts>("forecasts?limit=20"),
        getOptional<Scaling>("scaling"),
      ]);
      const t = summary.total;
      const origins = status.pools.flatMap((p) => p.origins);
      patch(kpis, { t, status: status.pools.map((p) => [p.id, p.healthy]), v: status.config_version, range }, () => [
        kpi("Requests/s", num(t.rps, 2), `${num(t.requests)} requests, ${RANGES[range].label.toLowerCase()}`),
        kpi("Error rate", pct(t.error_rate), `${num(t.errors)} errors`),
        kpi("p95 latency", t.p95_ms === null ? "–" : `${num(t.p95_ms, 1)} ms`, `p50 ${num(t.p50_ms, 1)} · p99 ${num(t.p99_ms, 1)} ms`),
        kpi("Pools healthy", `${status.pools.filter((p) => p.healthy).length} / ${status.pools.length}`, `origins ${origins.filter((o) => o.healthy).length} / ${origins.length} · config v${status.config_version}`),
      ]);
      patch(note, { n: t.requests, pools: status.pools.length }, () =>
        status.pools.length === 0
          ? [empty("No config yet: PUT one to /_edge/api/config (npm start seeds a demo), then send traffic through the edge.")]
          : t.requests === 0
            ? [empty("No traffic yet in this range: send requests through the edge (telemetry reaches D1 within a minute).")]
            : [],
      );
      const x = summary.series.map((s) => secs(s.t));
      rps.set([x, summary.series.map((s) => s.rps)]);
      errs.set([x, summary.series.map((s) => (s.error_rate === null ? null : s.error_rate * 100))]);
      p95.set([x, summary.series.map((s) => s.p95_ms)]);

      const hourAgo = to - 3_600_000;
      const open = origins.filter((o) => o.breaker.state !== "closed").map((o) => ({ o, pool: status.pools.find((p) => p.origins.includes(o))?.id ?? "" }));
      const anomalies = fc.anomalies.filter((a) => Date.parse(a.timestamp) >= hourAgo);
      const failed = (scaling?.calls ?? []).filter((c) => callFailed(c) && Date.parse(c.at) >= to - 86_400_000);
      patch(alerts, { open: open.map(({ o }) => [o.id, o.breaker]), anomalies, failed, s: scaling === null }, () => {
        const items = [
          ...open.map(({ o, pool }) => el("li", { class: "alert alert-breaker" }, el("strong", {}, `Breaker ${o.breaker.state.replace("_", " ")}`), ` ${pool}/${o.id} since `, time(o.breaker.since), `: ${o.breaker.reason}`)),
          ...anomalies.map((a) => el("li", { class: "alert alert-anomaly" }, el("strong", {}, `Anomaly (${a.direction} ${a.kind})`), ` ${a.pool} at `, time(a.timestamp), `: ${a.reason} (score ${num(a.score, 2)})`)),
          ...failed.map((c) => el("li", { class: "alert alert-call" }, el("strong", {}, "Scaling call failed"), ` ${c.pool} ${c.provider} ${c.action} at `, time(c.at), `: ${c.error_code ?? c.outcome ?? c.status}`)),
        ];
        return items.length ? [el("ul", { class: "alerts" }, ...items)] : [empty("No open alerts: every breaker is closed, no anomaly in the last hour, no failed scaling call today.")];
      });
      const byPool = new Map(summary.pools.map((p) => [p.pool, p]));
      patch(pools, { status: status.pools, p: summary.pools }, () =>
        status.pools.length === 0
          ? [empty("No pools: the config defines them.")]
          : [
              table(
                "Pools at a glance",
                ["pool", "health", "origins up", "req/s", "errors", "p95 ms"],
                status.pools.map((p) => {
                  const m = byPool.get(p.id);
                  return [
                    p.id,
                    el("span", { class: p.healthy ? "ok" : "bad" }, p.healthy ? "● healthy" : "○ unhealthy"),
                    `${p.origins.filter((o) => o.healthy).length} / ${p.origins.length}`,
                    num(m?.rps ?? 0, 2),
                    pct(m?.error_rate ?? null),
                    num(m?.p95_ms ?? null, 1),
                  ];
                }),
                "compact",
              ),
            ],
      );
      patch(geo, summary.geo, () =>
        summary.geo.length === 0
          ? [empty("No traffic yet: clients' countries appear here once requests pass through the edge.")]
          : [table("Traffic by country and edge location", ["country", "edge (colo)", "requests", "share", "errors"], summary.geo.slice(0, 30).map((g) => [g.country, g.colo, num(g.requests), pct(t.requests ? g.requests / t.requests : null, 1), num(g.errors)]), "compact")],
      );
    },
  };
}

function kpi(label: string, value: string, sub: string): HTMLElement {
  return el("div", { class: "kpi" }, el("div", { class: "kpi-label" }, label), el("div", { class: "kpi-value" }, value), el("div", { class: "kpi-sub" }, sub));
}
