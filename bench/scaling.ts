/**
 * Scaling bench (issue 11). `npx tsx bench/scaling.ts`
 * Replays the NASA-HTTP 1995 per-minute trace (bench/data, gzip) minute by minute through
 * the scheduler's own code — forecastPool, then the planner (src/scheduler/scaling/plan.ts)
 * with its production damping — against a reactive HPA-style baseline: the same planner
 * fed only the last observed minute (a flat "forecast"), so tolerance, stabilization, step
 * limits and cooldown are identical and only the load signal differs. Both clouds take
 * 5 minutes to bring an instance into service (billing starts at launch; scale-in is
 * immediate). `rps_per_instance` is set so the trace's peak minute needs 20 instances with
 * the 20% headroom. Pure code in Node: no workerd, no D1.
 * Human table on stderr; last stdout line is the figures JSON.
 */
import { parseTimestampValueCsv } from "../src/scheduler/forecast/csv.js";
import { forecastPool } from "../src/scheduler/forecast/pool.js";
import type { RawPoint } from "../src/scheduler/forecast/types.js";
import type { ActiveAnomaly } from "../src/scheduler/anomaly/types.js";
import type { PlanForecast } from "../src/scheduler/scaling/peak.js";
import { plan, type PlanReason } from "../src/scheduler/scaling/plan.js";
import { DEFAULT_POLICY } from "../src/scheduler/scaling/policy.js";
import { nasaCsv } from "./data/datasets.js";

const MIN = 60_000;
const DAY = 86_400_000;
const STEP = 5 * MIN;
const PROVISION_MS = 5 * MIN;
const HEADROOM = 0.2;
const PEAK_INSTANCES = 20;
/** Replayed window: the last 14 days (after the August outage); forecasts use 7 days of history, refit every 5 minutes. */
const REPLAY_DAYS = 14;
const HISTORY_MS = 7 * DAY;
const log = (s: string) => process.stderr.write(`${s}\n`);

/** A cloud that takes PROVISION_MS to bring an instance into service. */
class SimCloud {
  private ready: number[] = [];
  constructor(n: number, t: number) {
    this.ready = Array.from({ length: n }, () => t - PROVISION_MS);
  }
  get desired(): number {
    return this.ready.length;
  }
  serving(t: number): number {
    let n = 0;
    for (const r of this.ready) if (r <= t) n++;
    return n;
  }
  set(n: number, t: number): void {
    // Scale-in drops the newest (still launching) instances first.
    this.ready.sort((a, b) => a - b);
    if (n < this.ready.length) this.ready = this.ready.slice(0, n);
    while (this.ready.length < n) this.ready.push(t + PROVISION_MS);
  }
}

interface Arm {
  name: string;
  cloud: SimCloud;
  recent: { at: number; recommendation: number }[];
  lastChangeAt: number | null;
  underMinutes: number;
  instanceMinutes: number;
  changes: number;
  reasons: Map<PlanReason, number>;
}

const arm = (name: string, n: number, t: number): Arm => ({ name, cloud: new SimCloud(n, t), recent: [], lastChangeAt: null, underMinutes: 0, instanceMinutes: 0, changes: 0, reasons: new Map() });

function step(a: Arm, t: number, forecast: PlanForecast, anomaly: ActiveAnomaly | null, dataFrom: number, rpi: number): void {
  const p = plan({
    now: t,
    mode: "forecast_and_scale",
    min: 1,
    max: 2 * PEAK_INSTANCES,
    rpsPerInstance: rpi,
    headroom: HEADROOM,
    current: a.cloud.desired,
    forecast,
    data: { from: dataFrom, to: t },
    anomaly,
    recent: a.recent,
    lastChangeAt: a.lastChangeAt,
    policy: DEFAULT_POLICY,
  });
  a.reasons.set(p.reason, (a.reasons.get(p.reason) ?? 0) + 1);
  if (p.recommendation !== null) a.recent.push({ at: t, recommendation: p.recommendation });
  while (a.recent.length > 0 && (a.recent[0]?.at ?? t) <= t - DEFAULT_POLICY.stabilizationMs) a.recent.shift();
  if (p.desired !== p.current) {
    a.cloud.set(p.desired, t);
    a.lastChangeAt = t;
    a.changes++;
  }
}

function account(a: Arm, t: number, loadRps: number, rpi: number): void {
  a.instanceMinutes += a.cloud.desired;
  if (loadRps > a.cloud.serving(t) * rpi + 1e-9) a.underMinutes++;
}

export async function run() {
  const parsed = parseTimestampValueCsv(nasaCsv());
  if (!parsed.ok) throw new Error(parsed.reason);
  const points: RawPoint[] = parsed.points;
  const byMinute = new Map(points.map((p) => [p.t, p.v]));
  const last = points[points.length - 1]?.t ?? 0;
  const end = last - (last % MIN);
  const start = end - REPLAY_DAYS * DAY;
  let peak = 0;
  for (const p of points) if (p.t >= start && p.t < end) peak = Math.max(peak, p.v / 60);
  const rpi = (peak * (1 + HEADROOM)) / PEAK_INSTANCES;
  const load = (t: number) => (byMinute.get(t) ?? 0) / 60;
  const first = Math.max(1, Math.ceil((load(start - MIN) * (1 + HEADROOM)) / rpi));
  const pred = arm("forecast + planner", first, start);
  const reactive = arm("reactive (HPA-style)", first, start);
  const dataFrom = points[0]?.t ?? start;

  let forecast: PlanForecast | null = null;
  let anomaly: ActiveAnomaly | null = null;
  let lo = points.findIndex((p) => p.t >= start - HISTORY_MS);
  let hi = points.findIndex((p) => p.t >= start);
  const wall = performance.now();
  let fits = 0;
  for (let t = start; t < end; t += MIN) {
    while (hi < points.length && (points[hi]?.t ?? Infinity) < t) hi++;
    while ((points[lo]?.t ?? Infinity) < t - HISTORY_MS) lo++;
    if (forecast === null || t % STEP === 0) {
      const f = forecastPool(points.slice(lo, hi), { now: t - 1, stepMs: STEP, horizonMs: 60 * MIN, historyMs: HISTORY_MS });
      fits++;
      if (f.ok) {
        forecast = { at: t, stepMs: f.stepMs, model: f.model, points: f.points.map((p) => ({ t: p.t, mean: p.mean, hi90: Number.isFinite(p.hi90) ? p.hi90 : null })) };
        anomaly = f.anomaly;
      }
    }
    // Between refits the forecast is the same content a minute-cron would store: treat it as fresh.
    if (forecast) step(pred, t, { ...forecast, at: t }, anomaly, dataFrom, rpi);
    const observed = load(t - MIN) * 60;
    step(reactive, t, { at: t, stepMs: MIN, model: "observed", points: [{ t, mean: observed, hi90: null }] }, null, dataFrom, rpi);
    account(pred, t, load(t), rpi);
    account(reactive, t, load(t), rpi);
  }
  const seconds = (performance.now() - wall) / 1000;
  const minutes = (end - start) / MIN;
  log(`NASA-HTTP 1995, last ${REPLAY_DAYS} days (${minutes} minutes), peak ${peak.toFixed(2)} rps → rps_per_instance ${rpi.toFixed(3)} (20 instances at peak with 20% headroom); provisioning 5 min; ${fits} forecasts, ${seconds.toFixed(0)} s`);
  const ratio = (a: number, b: number) => (b > 0 ? a / b : a === 0 ? 1 : Number.POSITIVE_INFINITY);
  const table: (string | number)[][] = [["arm", "under-capacity min", "instance-minutes", "changes", "top reasons"]];
  for (const a of [pred, reactive]) {
    const top = [...a.reasons.entries()].sort((x, y) => y[1] - x[1]).slice(0, 4).map(([r, n]) => `${r} ${n}`).join(", ");
    table.push([a.name, a.underMinutes, a.instanceMinutes, a.changes, top]);
  }
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  const under = ratio(pred.underMinutes, reactive.underMinutes);
  const inst = ratio(pred.instanceMinutes, reactive.instanceMinutes);
  const figures = {
    scaling_underprovisioned_minutes_vs_reactive: { value: round(under), unit: "ratio", baseline: `reactive HPA-style: ${reactive.underMinutes} of ${minutes} minutes under capacity (planner ${pred.underMinutes})`, target: "< 1" },
    scaling_instance_minutes_vs_reactive: { value: round(inst), unit: "ratio", baseline: `reactive HPA-style: ${reactive.instanceMinutes} instance-minutes (planner ${pred.instanceMinutes})`, target: "<= 1.10" },
  };
  return { table, figures };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(
    (out) => {
      for (const row of out.table) log(row.map((c, i) => String(c).padEnd(i === 0 ? 24 : 20)).join(""));
      process.stdout.write(`${JSON.stringify({ figures: out.figures })}\n`);
    },
    (e: unknown) => {
      log(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exit(1);
    },
  );
}
