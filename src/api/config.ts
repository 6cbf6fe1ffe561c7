import { Hono } from "hono";
import { privateOriginIssues } from "../config/private-origins";
import { parseConfig } from "../config/schema";
import { listConfigVersions, loadActiveConfig, loadConfigVersion, storeConfig } from "../config/store";
import type { ApiEnv } from "./context";
import { LIMITS } from "../edge/limits";
import { ApiError } from "./errors";

/** GET/PUT the active config, its history, and rollback (CONTRACT.md "HTTP"). */
export const configRoutes = new Hono<ApiEnv>();

configRoutes.get("/", async (c) => {
  const active = await loadActiveConfig(c.env.DB);
  if (!active) throw new ApiError(404, "no_config", "no config has been stored yet");
  return c.json({ version: active.version, config: active.config });
});

configRoutes.put("/", async (c) => {
  // A chunked body carries no Content-Length for the entry's check: counted here once read.
  const raw = await c.req.arrayBuffer();
  if (raw.byteLength > LIMITS.controlBodyBytes) throw new ApiError(413, "body_too_large", `the config exceeds ${LIMITS.controlBodyBytes} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw new ApiError(400, "invalid_json", "the body is not JSON", { issues: [{ path: "", message: "the body is not JSON" }] });
  }
  const parsed = parseConfig(body);
  const issues = parsed.ok ? privateOriginIssues(parsed.config, c.var.settings.production) : parsed.issues;
  if (!parsed.ok || issues.length > 0) {
    return c.json({ error: "invalid_config", message: `${issues.length} problem(s) in the config`, issues }, 400);
  }
  const version = await storeConfig(c.env.DB, parsed.config, c.req.query("note") ?? "", c.var.runtime.clock.now());
  // This isolate serves the new config at once; others pick it up within CONFIG_REFRESH_MS.
  c.var.runtime.config.install({ version, config: parsed.config });
  return c.json({ version });
});

configRoutes.get("/versions", async (c) => {
  const limit = Math.min(500, Math.max(1, Number(c.req.query("limit") ?? 100) || 100));
  return c.json({ versions: await listConfigVersions(c.env.DB, limit) });
});

/** One stored version's config, for the dashboard's diff between two versions. */
configRoutes.get("/versions/:version", async (c) => {
  const raw = c.req.param("version");
  if (!/^\d{1,12}$/.test(raw)) throw new ApiError(400, "invalid_version", "version must be a positive integer");
  const v = await loadConfigVersion(c.env.DB, Number(raw));
  if (!v) throw new ApiError(404, "unknown_version", `no config version ${raw}`);
  return c.json({ version: v.version, config: v.config });
});

/**
 * Rollback stores the old config again as a new version, so history stays append-only and
 * every isolate sees a higher version number and switches.
 */
configRoutes.post("/rollback/:version", async (c) => {
  const raw = c.req.param("version");
  if (!/^\d{1,12}$/.test(raw)) throw new ApiError(400, "invalid_version", "version must be a positive integer");
  const old = await loadConfigVersion(c.env.DB, Number(raw));
  if (!old) throw new ApiError(404, "unknown_version", `no config version ${raw}`);
  const issues = privateOriginIssues(old.config, c.var.settings.production);
  if (issues.length > 0) return c.json({ error: "invalid_config", message: "that version is not allowed here", issues }, 400);
  const version = await storeConfig(c.env.DB, old.config, `rollback to ${old.version}`, c.var.runtime.clock.now());
  c.var.runtime.config.install({ version, config: old.config });
  return c.json({ version, rolled_back_to: old.version });
});
