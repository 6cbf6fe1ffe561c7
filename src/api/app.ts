import { Hono } from "hono";
import { edgeRuntime } from "../edge/runtime";
import { makeRuntime } from "../edge/wiring";
import { settings } from "../env";
import type { ApiEnv } from "./context";
import { requireAdmin } from "./auth";
import { configRoutes } from "./config";
import { forecastRoutes } from "./forecasts";
import { metricsRoutes } from "./metrics";
import { statusRoutes } from "./status";
import { scalingRoutes } from "./scaling";
import { apiErrorResponse, ApiError } from "./errors";
import { eventRoutes } from "./events";
import { summaryRoutes } from "./summary";

/**
 * The control plane, mounted under CONTROL_PREFIX by the entry (which strips the prefix,
 * so these routes are prefix-free and the prefix stays a deploy-time var).
 */
export const controlApp = new Hono<ApiEnv>();

controlApp.use(async (c, next) => {
  c.set("settings", settings(c.env));
  c.set("runtime", edgeRuntime(c.env, makeRuntime));
  await next();
});
controlApp.onError((err, c) => apiErrorResponse(c, err));
controlApp.notFound((c) => c.json({ error: "not_found", message: `no control route ${c.req.method} ${c.req.path}` }, 404));

/** Unauthenticated liveness; loads the config first on a cold isolate so the version is real. */
controlApp.get("/health", async (c) => {
  const active = c.var.runtime.config.current ?? (await c.var.runtime.config.ensure());
  return c.json({ ok: true, config_version: active?.version ?? 0 });
});

/** The dashboard's static files (wrangler.toml [assets]), served under PREFIX/dashboard/. */
controlApp.get("/dashboard", (c) => c.redirect(`${c.var.settings.controlPrefix}/dashboard/`, 301));
controlApp.get("/dashboard/*", async (c) => {
  if (!c.env.ASSETS) throw new ApiError(404, "no_dashboard", "this deployment has no dashboard assets");
  const url = new URL(c.req.url);
  url.pathname = url.pathname.slice("/dashboard".length) || "/";
  return c.env.ASSETS.fetch(new Request(url, c.req.raw));
});

controlApp.use("/api/*", requireAdmin);
controlApp.route("/api/config", configRoutes);
controlApp.route("/api", statusRoutes);
controlApp.route("/api", metricsRoutes);
controlApp.route("/api", forecastRoutes);
controlApp.route("/api", summaryRoutes);
controlApp.route("/api", eventRoutes);
controlApp.route("/api", scalingRoutes);
