import { and, desc, eq, gte, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono } from "hono";
import { z } from "zod";
import { breakerEvents, healthEvents } from "../db/schema";
import type { ApiEnv } from "./context";
import { ApiError } from "./errors";

/**
 * GET /events[?origin=ID][&pool=ID][&since=ISO][&limit=N]: breaker transitions and active
 * health-check results, newest first (default: the last 24 hours, 200 of each), for the
 * dashboard's per-origin timelines.
 */
export const eventRoutes = new Hono<ApiEnv>();

const schema = z.object({
  origin: z.string().min(1).max(64).optional(),
  pool: z.string().min(1).max(64).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

eventRoutes.get("/events", async (c) => {
  const q = schema.safeParse(c.req.query());
  if (!q.success) {
    throw new ApiError(400, "invalid_query", "bad events query", { issues: q.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) });
  }
  const since = q.data.since === undefined ? c.var.runtime.clock.now() - 86_400_000 : Date.parse(q.data.since);
  const where = (t: typeof breakerEvents | typeof healthEvents): SQL | undefined => {
    const w: SQL[] = [gte(t.at, since)];
    if (q.data.origin !== undefined) w.push(eq(t.origin, q.data.origin));
    if (q.data.pool !== undefined) w.push(eq(t.pool, q.data.pool));
    return and(...w);
  };
  const d = drizzle(c.env.DB);
  const [breaker, health] = await Promise.all([
    d.select().from(breakerEvents).where(where(breakerEvents)).orderBy(desc(breakerEvents.at), desc(breakerEvents.id)).limit(q.data.limit),
    d.select().from(healthEvents).where(where(healthEvents)).orderBy(desc(healthEvents.at), desc(healthEvents.id)).limit(q.data.limit),
  ]);
  return c.json({
    since: new Date(since).toISOString(),
    breaker: breaker.map((e) => ({ origin: e.origin, pool: e.pool, at: new Date(e.at).toISOString(), from: e.fromState, to: e.toState, reason: e.reason, generation: e.generation })),
    health: health.map((e) => ({ origin: e.origin, pool: e.pool, at: new Date(e.at).toISOString(), healthy: e.healthy, status: e.status, latency_ms: e.latencyMs, error: e.error })),
  });
});
