import { z } from "zod";
import type { AuthGuard } from "./auth/guard-object";
import type { BreakerObject } from "./breaker/breaker-object";
import { GEO_MEMO_MAX } from "./routing/geo-memo";
import type { SchedulerLease } from "./scheduler/scaling/lease-object";

/** Bindings and vars from wrangler.toml, plus secrets (README, "Deploy"). */
export interface Env {
  DB: D1Database;
  BREAKER: DurableObjectNamespace<BreakerObject>;
  ASSETS?: Fetcher;
  /** Failed admin-auth attempts per client address (src/auth/guard-object.ts). */
  AUTH_GUARD?: DurableObjectNamespace<AuthGuard>;
  ENVIRONMENT?: string;
  CONTROL_PREFIX?: string;
  ADMIN_TOKEN?: string;
  /** Milliseconds between an isolate's checks of D1 for a newer config (default 5000). */
  CONFIG_REFRESH_MS?: string;
  /** Client addresses whose geo an isolate remembers (default 4096; 0 reads request.cf every time). */
  GEO_MEMO_SIZE?: string;
  /** Milliseconds any D1 call may take before it counts as D1 unavailable (default 3000). */
  D1_TIMEOUT_MS?: string;
  /** Telemetry knobs (src/telemetry/settings.ts): TELEMETRY_ENABLED, TELEMETRY_FLUSH_MS, ... */
  TELEMETRY_ENABLED?: string;
  TELEMETRY_FLUSH_MS?: string;
  TELEMETRY_MAX_KEYS?: string;
  TELEMETRY_MINUTE_DAYS?: string;
  TELEMETRY_HOUR_DAYS?: string;
  /** Cloudflare Access: team domain and audience tag, for the dashboard's JWT login. */
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
  AWS_ACCESS_KEY_ID?: string;
  AWS_SECRET_ACCESS_KEY?: string;
  GCP_SERVICE_ACCOUNT_JSON?: string;
  AZURE_TENANT_ID?: string;
  AZURE_CLIENT_ID?: string;
  AZURE_CLIENT_SECRET?: string;
  AZURE_SUBSCRIPTION_ID?: string;
  K8S_TOKEN?: string;
  WEBHOOK_SECRET?: string;
  /** One run of the scheduler at a time across the fleet (src/scheduler/scaling/lease-object.ts). */
  SCHEDULER_LEASE: DurableObjectNamespace<SchedulerLease>;
}

/**
 * The only two environments (CONTRACT.md): `production` takes geo from request.cf alone and
 * guards private origins; `development` honours x-edge-geo. Anything else (`prod`,
 * `Production`, `test`) is a deploy fault, refused at start-up rather than read as
 * development: a typo must never switch the production guards off.
 */
export const ENVIRONMENTS = ["production", "development"] as const;

const varsSchema = z.object({
  ENVIRONMENT: z.enum(ENVIRONMENTS, { error: `must be exactly one of ${ENVIRONMENTS.join(", ")}` }).default("production"),
  CONTROL_PREFIX: z
    .string()
    .regex(/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/, "a path like /_edge")
    .default("/_edge"),
  CONFIG_REFRESH_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  GEO_MEMO_SIZE: z.coerce.number().int().min(0).max(100_000).default(GEO_MEMO_MAX),
  D1_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(3000),
});

export interface Settings {
  production: boolean;
  environment: string;
  controlPrefix: string;
  configRefreshMs: number;
  geoMemoSize: number;
  /** How long any D1 call may take before it counts as D1 unavailable (src/db/guard.ts). */
  d1TimeoutMs: number;
}

/** A var the worker cannot run with; the entry answers it as 503 misconfigured (misconfiguredResponse). */
export class SettingsError extends Error {}

/**
 * The answer to every request while the vars are invalid: 503 JSON naming the var, never a
 * half-configured worker. Only var names and the allowed values appear (no var's value: a
 * secret mistyped into a var must not be echoed).
 */
export function misconfiguredResponse(err: SettingsError): Response {
  return new Response(JSON.stringify({ error: "misconfigured", message: err.message }), {
    status: 503,
    headers: { "content-type": "application/json; charset=utf-8", "retry-after": "60" },
  });
}

const settingsCache = new WeakMap<object, Settings>();

// An isolate sees one env object for all its requests: the last one is checked first.
let lastEnv: Env | undefined;
let lastSettings: Settings | undefined;

/**
 * Validates the vars once per env object. A bad var is a deploy fault, so this throws
 * (the worker answers 500 and the error names the var) rather than serving half-configured.
 */
export function settings(env: Env): Settings {
  if (env === lastEnv) return lastSettings!;
  const hit = settingsCache.get(env);
  if (hit) {
    lastEnv = env;
    lastSettings = hit;
    return hit;
  }
  const r = varsSchema.safeParse({
    ENVIRONMENT: env.ENVIRONMENT || undefined,
    CONTROL_PREFIX: env.CONTROL_PREFIX || undefined,
    CONFIG_REFRESH_MS: env.CONFIG_REFRESH_MS || undefined,
    GEO_MEMO_SIZE: env.GEO_MEMO_SIZE || undefined,
    D1_TIMEOUT_MS: env.D1_TIMEOUT_MS || undefined,
  });
  if (!r.success) {
    const what = r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new SettingsError(`invalid worker vars: ${what}`);
  }
  const s: Settings = {
    production: r.data.ENVIRONMENT === "production",
    environment: r.data.ENVIRONMENT,
    controlPrefix: r.data.CONTROL_PREFIX,
    configRefreshMs: r.data.CONFIG_REFRESH_MS,
    geoMemoSize: r.data.GEO_MEMO_SIZE,
    d1TimeoutMs: r.data.D1_TIMEOUT_MS,
  };
  settingsCache.set(env, s);
  lastEnv = env;
  lastSettings = s;
  return s;
}
