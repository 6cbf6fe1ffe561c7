import { Hono } from "hono";
import { breakerCommand, breakerStatus } from "../breaker/admin";
import type { BreakerStatus } from "../breaker/types";
import { loadActiveConfig } from "../config/store";
import { loadHealth } from "../health/store";
import type { ApiEnv } from "./context";
import { ApiError } from "./errors";

/** States in which an origin takes no normal traffic. */
const OUT = new Set<BreakerStatus["state"]>(["open", "forced_open", "half_open"]);

/**
 * GET /status: pools and origins with their authoritative breaker state (one Durable
 * Object call per origin, in parallel; an admin path, so awaiting is fine here).
 */
export const statusRoutes = new Hono<ApiEnv>();

statusRoutes.get("/status", async (c) => {
  const active = c.var.runtime.config.current ?? (await loadActiveConfig(c.env.DB));
  if (!active) return c.json({ config_version: 0, pools: [] });
  const config = active.config;
  const ids = config.pools.flatMap((p) => p.origins.map((o) => o.id));
  const [breakers, health] = await Promise.all([breakerStatus(c.env.BREAKER, ids, config), loadHealth(c.env.DB)]);
  const pools = config.pools.map((p) => {
    const origins = p.origins.map((o) => {
      const breaker = breakers[o.id]!;
      const local = c.var.runtime.breaker.view?.(o.id);
      const h = health.get(o.id);
      const probe = h
        ? { healthy: h.healthy, since: new Date(h.since).toISOString(), checked_at: new Date(h.checkedAt).toISOString(), last_error: h.lastError }
        : { healthy: true, since: null, checked_at: null, last_error: null };
      return {
        id: o.id,
        url: o.url,
        enabled: o.enabled,
        weight: o.weight,
        healthy: o.enabled && o.weight > 0 && !OUT.has(breaker.state) && probe.healthy,
        health: probe,
        breaker,
        ...(local ? { isolate: local } : {}),
      };
    });
    return { id: p.id, selection: p.selection, healthy: origins.some((o) => o.healthy), origins };
  });
  return c.json({ config_version: active.version, pools });
});

const ACTIONS = new Set(["open", "close", "reset"] as const);

statusRoutes.post("/breakers/:origin/:action", async (c) => {
  const origin = c.req.param("origin");
  const action = c.req.param("action");
  if (!ACTIONS.has(action as "open")) throw new ApiError(404, "unknown_action", "action must be open, close or reset");
  const active = c.var.runtime.config.current ?? (await loadActiveConfig(c.env.DB));
  const known = active?.config.pools.some((p) => p.origins.some((o) => o.id === origin)) ?? false;
  if (!known) throw new ApiError(404, "unknown_origin", `no origin '${origin}' in the active config`);
  const status = await breakerCommand(c.env.BREAKER, origin, action as "open" | "close" | "reset");
  await c.var.runtime.breaker.adminChanged(origin);
  return c.json({ origin, breaker: status });
});
