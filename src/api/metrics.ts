import { Hono } from "hono";
import { parseMetricsQuery, queryMinuteRollups } from "../telemetry";
import type { ApiEnv } from "./context";
import { ApiError } from "./errors";

/** GET /metrics?from=ISO&to=ISO[&pool=ID][&origin=ID]: per-minute rollups (default: the last hour). */
export const metricsRoutes = new Hono<ApiEnv>();

metricsRoutes.get("/metrics", async (c) => {
  const parsed = parseMetricsQuery(new URL(c.req.url).searchParams, c.var.runtime.clock.now());
  if (!parsed.ok) throw new ApiError(400, "invalid_query", "bad metrics query", { issues: parsed.issues });
  const rows = await queryMinuteRollups(c.env.DB, parsed.query);
  return c.json({ from: new Date(parsed.query.from).toISOString(), to: new Date(parsed.query.to).toISOString(), rows });
});
