import { Hono } from "hono";
import { z } from "zod";
import { queryMinuteRollups } from "../telemetry";
import type { ApiEnv } from "./context";
import { ApiError } from "./errors";

const HOUR = 3_600_000;
/** Minute rows are kept 7 days by default; a wider window is the hourly table's job. */
const MAX_RANGE_MS = 8 * 24 * HOUR;

const isoOrEpoch = z
  .string()
  .trim()
  .min(1)
  .transform((s, ctx) => {
    const ms = /^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: "custom", message: "an ISO-8601 time or epoch seconds" });
      return z.NEVER;
    }
    return ms;
  });

const id = z.string().min(1).max(64);

const querySchema = z
  .object({
    from: isoOrEpoch.optional(),
    to: isoOrEpoch.optional(),
    pool: id.optional(),
    origin: id.optional(),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
  })
  .strict();

/** GET /metrics?from=ISO&to=ISO[&pool=ID][&origin=ID]: per-minute rollups (default: the last hour). */
export const metricsRoutes = new Hono<ApiEnv>();

metricsRoutes.get("/metrics", async (c) => {
  const parsed = querySchema.safeParse(c.req.query());
  if (!parsed.success) {
    throw new ApiError(400, "invalid_query", "bad metrics query", {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });
  }
  const q = parsed.data;
  const to = q.to ?? c.var.runtime.clock.now();
  const from = q.from ?? to - HOUR;
  if (from >= to) throw new ApiError(400, "invalid_query", "from must be before to");
  if (to - from > MAX_RANGE_MS) throw new ApiError(400, "invalid_query", "at most 8 days of minute rows per query");
  const rows = await queryMinuteRollups(c.env.DB, {
    from,
    to,
    ...(q.pool !== undefined ? { pool: q.pool } : {}),
    ...(q.origin !== undefined ? { origin: q.origin } : {}),
    ...(q.limit !== undefined ? { limit: q.limit } : {}),
  });
  return c.json({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), rows });
});
