import { Hono } from "hono";
import { edgeRuntime } from "../edge/runtime";
import { makeRuntime } from "../edge/wiring";
import { settings } from "../env";
import type { ApiEnv } from "./context";
import { requireAdmin } from "./auth";
import { configRoutes } from "./config";
import { apiErrorResponse, ApiError } from "./errors";

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

controlApp.get("/health", (c) => c.json({ ok: true, config_version: c.var.runtime.config.current?.version ?? 0 }));

controlApp.use("/api/*", requireAdmin);
controlApp.route("/api/config", configRoutes);

export { ApiError };
