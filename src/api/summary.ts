import { Hono } from "hono";
import { z } from "zod";
import { MAX_METRICS_SPAN_MS, queryGeoTotals, queryRollupSummary, queryRollupTotals, type MetricsRow } from "../telemetry";
import type { ApiEnv } from "./context";
import { ApiError } from "./errors";

/**
 * GET /metrics/summary?from=ISO&to=ISO[&step_s=N][&pool=ID]: what the dashboard charts, computed
 * here where it is correct: totals and percentiles from histograms merged across every row
 * (a pool's p95 is not the largest of its rows' p95s), every step present (zero traffic is a
 * zero, not a gap), requests per second per step.
 */
export const summaryRoutes = new Hono<ApiEnv>();

const MINUTE = 60_000;
/** About this many points per chart when no step is asked for. */
const TARGET_POINTS = 120;

const schema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  step_s: z.coerce.number().int().min(60).max(86_400).multipleOf(60).optional(),
  pool: z.string().min(1).max(64).optional(),
});

function rates(r: MetricsRow, stepMs: number) {
  return {
    requests: r.requests,
    errors: r.errors,
    error_rate: r.requests > 0 ? r.errors / r.requests : null,
    rps: r.requests / (stepMs / 1000),
    p50_ms: r.p50_ms,
    p95_ms: r.p95_ms,
    p99_ms: r.p99_ms,
  };
}

const EMPTY: MetricsRow = {
  minute: "", pool: "*", origin: "*", country: "*", colo: "*", requests: 0, errors: 0, errors_connect: 0, errors_timeout: 0,
  errors_5xx: 0, errors_4xx: 0, retries: 0, bytes: 0, dropped: 0, mean_ms: null, p50_ms: null, p95_ms: null, p99_ms: null,
};

summaryRoutes.get("/metrics/summary", async (c) => {
  const q = schema.safeParse(c.req.query());
  if (!q.success) {
    throw new ApiError(400, "invalid_query", "bad summary query", { issues: q.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) });
  }
  const to = q.data.to === undefined ? c.var.runtime.clock.now() : Date.parse(q.data.to);
  const from = q.data.from === undefined ? to - 3_600_000 : Date.parse(q.data.from);
  if (!(from < to)) throw new ApiError(400, "invalid_query", "from must be before to", { issues: [{ path: "from", message: "from must be before to" }] });
  if (to - from > MAX_METRICS_SPAN_MS) throw new ApiError(400, "invalid_query", "span longer than 7 days", { issues: [{ path: "to", message: "span longer than 7 days" }] });
  const stepMs = q.data.step_s !== undefined ? q.data.step_s * 1000 : Math.max(MINUTE, Math.ceil((to - from) / TARGET_POINTS / MINUTE) * MINUTE);
  const pool = q.data.pool;
  const range = { from, to, ...(pool !== undefined ? { pool } : {}) };
  const [steps, pools, all, geo] = await Promise.all([
    queryRollupSummary(c.env.DB, { ...range, stepMs, by: pool === undefined ? "all" : "pool" }),
    queryRollupTotals(c.env.DB, { ...range, by: "pool" }),
    queryRollupTotals(c.env.DB, { ...range, by: "all" }),
    queryGeoTotals(c.env.DB, range),
  ]);
  const byT = new Map(steps.map((s) => [s.t, s]));
  const series = [];
  for (let t = from - (from % stepMs); t < to; t += stepMs) {
    const s = byT.get(t);
    series.push({ t: new Date(t).toISOString(), ...rates(s ?? EMPTY, stepMs) });
  }
  const span = to - from;
  return c.json({
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    step_s: stepMs / 1000,
    series,
    total: all[0] ? rates(all[0], span) : rates(EMPTY, span),
    pools: pools.map((p) => ({ pool: p.pool, ...rates(p, span) })),
    geo,
  });
});
