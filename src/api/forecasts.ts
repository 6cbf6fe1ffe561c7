import { Hono } from "hono";
import { z } from "zod";
import { recentAnomalies, recentForecasts } from "../scheduler/forecast-store";
import type { ApiEnv } from "./context";
import { ApiError } from "./errors";

const querySchema = z.object({
  pool: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(60),
});

/** GET /forecasts?pool=ID: recent forecasts with the model used and its backtest error, plus anomaly flags of the last day. */
export const forecastRoutes = new Hono<ApiEnv>();

forecastRoutes.get("/forecasts", async (c) => {
  const q = querySchema.safeParse(c.req.query());
  if (!q.success) {
    throw new ApiError(400, "invalid_query", "bad forecasts query", {
      issues: q.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });
  }
  const pool = q.data.pool;
  const since = c.var.runtime.clock.now() - 86_400_000;
  const [forecasts, anomalies] = await Promise.all([
    recentForecasts(c.env.DB, { ...(pool !== undefined ? { pool } : {}), limit: q.data.limit }),
    recentAnomalies(c.env.DB, { ...(pool !== undefined ? { pool } : {}), since, limit: 500 }),
  ]);
  return c.json({ forecasts, anomalies });
});
