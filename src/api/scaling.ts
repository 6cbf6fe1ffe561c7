import { Hono } from "hono";
import { z } from "zod";
import { DEFAULT_PROVIDERS } from "../scheduler/scaling/registry";
import { runScheduler } from "../scheduler/scaling/scheduler";
import { recentScaling } from "../scheduler/scaling/store";
import type { ApiEnv } from "./context";
import { ApiError } from "./errors";

const querySchema = z.object({
  pool: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** GET /scaling?pool=ID (decisions and cloud calls, newest first) and POST /scheduler/run (one run, to the end). */
export const scalingRoutes = new Hono<ApiEnv>();

scalingRoutes.get("/scaling", async (c) => {
  const q = querySchema.safeParse(c.req.query());
  if (!q.success) {
    throw new ApiError(400, "invalid_query", "bad scaling query", {
      issues: q.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });
  }
  return c.json(await recentScaling(c.env.DB, { ...(q.data.pool !== undefined ? { pool: q.data.pool } : {}), limit: q.data.limit }));
});

scalingRoutes.post("/scheduler/run", async (c) => {
  const rt = c.var.runtime;
  const r = await runScheduler(rt, { trigger: "api", now: rt.clock.now(), runId: crypto.randomUUID(), providers: DEFAULT_PROVIDERS });
  if (!r.ok) return c.json({ error: "run_in_progress", message: `run ${r.holder} holds the lease until ${new Date(r.expiresAt).toISOString()}` }, 409);
  const s = r.report.scaling;
  if (s === undefined || !Array.isArray(s)) throw new ApiError(500, "run_failed", s && "error" in s ? s.error : "the scaling step did not run");
  return c.json({ run_id: r.report.run_id, started_at: new Date(r.startedAt).toISOString(), pools: s, forecasts: r.report.forecasts });
});
