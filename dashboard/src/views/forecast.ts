import { get, getOptional } from "../api";
import { secs, TimeChart } from "../chart";
import { el, empty, num, patch, table, time } from "../dom";
import { callFailed, type Forecast, type Forecasts, type Scaling, type Status, type Summary } from "../types";
import type { View } from "../view";

/**
 * Forecast & scaling, for one pool: actual requests per step against what the scheduler
 * forecast for that step (its most recent forecast made before the step), with the 90 %
 * interval and anomaly flags; the chosen model and its backtest error; capacity over time
 * with each decision and its cloud call's outcome (GET /scaling, when this deployment has it).
 */

/** Per step: the newest forecast's point wins (older runs forecast it from further away). */
export function forecastByStep(forecasts: Forecast[]): Map<number, { mean: number | null; lo90: number | null; hi90: number | null }> {
  const out = new Map<number, { mean: number | null; lo90: number | null; hi90: number | null }>();
  for (const f of [...forecasts].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) for (const p of f.points) out.set(secs(p.t), p);
  return out;
}

export function forecastView(): View {
  let pick: HTMLSelectElement, model: HTMLElement, points: HTMLElement, scaleBox: HTMLElement, note: HTMLElement;
  let pool = "";
  const fc = new TimeChart({
    title: "Requests per step: actual against forecast (90 % interval shaded, anomalies marked)",
    unit: "req/step",
    height: 220,
    series: [
      { label: "actual", stroke: "#1b1f24", width: 2 },
      { label: "forecast", stroke: "#1f5fbf", dash: [6, 4] },
      { label: "90 % high", stroke: "rgba(31,95,191,0.35)", width: 1 },
      { label: "90 % low", stroke: "rgba(31,95,191,0.35)", width: 1 },
      { label: "anomaly", stroke: "#b3261e", markers: true },
    ],
    bands: [[3, 4]],
  });
  const cap = new TimeChart({
    title: "Capacity: current and desired per decision; call outcomes marked",
    unit: "instances",
    height: 180,
    series: [
      { label: "current", stroke: "#1b1f24", stepped: true },
      { label: "desired", stroke: "#1f5fbf", stepped: true, dash: [6, 4] },
      { label: "call ok", stroke: "#2e7d32", markers: true },
      { label: "call failed", stroke: "#b3261e", markers: true },
    ],
  });

  return {
    mount(root, changed) {
      pick = el("select", { id: "fc-pool" });
      pick.addEventListener("change", () => {
        pool = pick.value;
        changed();
      });
      model = el("div", { id: "fc-model" });
      points = el("div", { id: "fc-points" });
      scaleBox = el("div", { id: "fc-scaling" });
      note = el("div", { id: "fc-note" });
      root.append(
        el("div", { class: "field" }, el("label", { for: "fc-pool" }, "Pool"), pick),
        note,
        model,
        fc.figure,
        el("h3", {}, "Next steps (latest forecast)"),
        points,
        el("h3", {}, "Scaling"),
        scaleBox,
      );
    },

    async refresh() {
      const status = await get<Status>("status");
      const ids = status.pools.map((p) => p.id);
      if (!ids.includes(pool)) pool = ids[0] ?? "";
      patch(pick, ids, () => ids.map((id) => el("option", { value: id }, id)));
      pick.value = pool;
      if (!pool) {
        patch(note, "none", () => [empty("No config yet: PUT one to /_edge/api/config (npm start seeds a demo).")]);
        return;
      }
      const p = encodeURIComponent(pool);
      const [{ forecasts, anomalies }, scaling] = await Promise.all([get<Forecasts>(`forecasts?pool=${p}&limit=60`), getOptional<Scaling>(`scaling?pool=${p}`)]);
      const latest = forecasts[0];
      patch(note, { pool, n: forecasts.length }, () =>
        latest ? [] : [empty(`No forecasts for ${pool} yet: the scheduler's cron writes one per pool each minute once the pool has a day's worth of traffic steps (POST /_edge/api/scheduler/run runs it now).`)],
      );
      patch(model, latest ?? null, () =>
        latest
          ? [
              el(
                "dl",
                { class: "facts" },
                el("dt", {}, "chosen model"),
                el("dd", { id: "fc-model-name" }, latest.model),
                el("dt", {}, "why"),
                el("dd", {}, latest.reason),
                el("dt", {}, "backtest WAPE"),
                el("dd", { id: "fc-wape" }, num(latest.backtest_wape, 3)),
                el("dt", {}, "baselines WAPE"),
                el("dd", {}, `last value ${num(latest.baseline_wape.last_value, 3)} · seasonal naive (day) ${num(latest.baseline_wape.seasonal_naive_day, 3)}`),
                el("dt", {}, "made at"),
                el("dd", {}, time(latest.at), ` · step ${num(latest.step_ms / 60_000)} min`),
              ),
            ]
          : [],
      );
      if (latest) {
        const stepS = Math.max(60, Math.round(latest.step_ms / 60_000) * 60);
        const byStep = forecastByStep(forecasts);
        const first = Math.min(...byStep.keys());
        const to = Date.now();
        const from = Math.min(first * 1000, to - 3_600_000);
        const actual = await get<Summary>(`metrics/summary?pool=${p}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&step_s=${stepS}`);
        const act = new Map(actual.series.map((s) => [secs(s.t), s.requests]));
        const flagged = new Set(anomalies.map((a) => Math.floor(secs(a.timestamp) / stepS) * stepS));
        const x = [...new Set([...act.keys(), ...byStep.keys()])].sort((a, b) => a - b);
        const actualAt = (t: number) => (act.has(t) && t * 1000 <= to - stepS * 1000 ? act.get(t)! : null);
        fc.set([
          x,
          x.map(actualAt),
          x.map((t) => byStep.get(t)?.mean ?? null),
          x.map((t) => byStep.get(t)?.hi90 ?? null),
          x.map((t) => byStep.get(t)?.lo90 ?? null),
          x.map((t) => (flagged.has(t) ? (actualAt(t) ?? act.get(t) ?? byStep.get(t)?.mean ?? 0) : null)),
        ]);
      }
      patch(points, latest?.points ?? [], () =>
        latest
          ? [table("Latest forecast", ["step", "mean", "90 % interval"], latest.points.slice(0, 12).map((pt) => [time(pt.t), pt.mean === null ? "no forecast" : num(pt.mean, 1), pt.lo90 === null || pt.hi90 === null ? "–" : `${num(pt.lo90, 1)} – ${num(pt.hi90, 1)}`]), "compact")]
          : [],
      );
      renderScaling(scaling);
    },
  };

  function renderScaling(s: Scaling | null): void {
    patch(scaleBox, { pool, s }, () => {
      if (s === null) return [empty("Scaling decisions are not available on this deployment (GET /_edge/api/scaling answered 404). They appear here once the scaling planner ships.")];
      const decisions = s.decisions.filter((d) => d.pool === pool).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
      const calls = s.calls.filter((c) => c.pool === pool);
      if (decisions.length === 0) return [empty(`No scaling decisions for ${pool} yet: give the pool a "scaling" block in the config (mode forecast_only or forecast_and_scale); the scheduler decides each run.`)];
      const desiredAt = new Map(decisions.map((d) => [d.run_id, d.desired]));
      const xs = [...new Set([...decisions.map((d) => secs(d.at)), ...calls.map((c) => secs(c.at))])].sort((a, b) => a - b);
      const dAt = new Map(decisions.map((d) => [secs(d.at), d]));
      const cAt = new Map(calls.map((c) => [secs(c.at), c]));
      cap.set([
        xs,
        xs.map((t) => dAt.get(t)?.current ?? null),
        xs.map((t) => dAt.get(t)?.desired ?? null),
        xs.map((t) => {
          const c = cAt.get(t);
          return c && !callFailed(c) ? (desiredAt.get(c.run_id) ?? null) : null;
        }),
        xs.map((t) => {
          const c = cAt.get(t);
          return c && callFailed(c) ? (desiredAt.get(c.run_id) ?? null) : null;
        }),
      ]);
      const rows = [...decisions].reverse().slice(0, 30).map((d) => {
        const mine = calls.filter((c) => c.run_id === d.run_id);
        return [
          time(d.at),
          `${num(d.current)} → ${num(d.desired)}`,
          d.mode,
          d.reason,
          mine.length
            ? el("span", {}, ...mine.map((c) => el("span", { class: callFailed(c) ? "bad call" : "ok call" }, `${c.provider} ${c.action}: ${c.outcome ?? c.status}${c.error_code ? ` (${c.error_code})` : ""}, attempt ${num(c.attempt)}, ${num(c.latency_ms)} ms`)))
            : "no call",
        ];
      });
      return [cap.figure, table("Scaling decisions", ["at", "capacity", "mode", "reason", "cloud call"], rows)];
    });
  }
}
