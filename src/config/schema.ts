import { z } from "zod";
import { TARGET_SCHEMAS } from "../scheduler/providers/targets.js";

/**
 * The edge configuration. This zod schema is the single source of the config's types
 * (CONTRACT.md "Config"): defaults and cross-field checks live here, so a config that
 * parses is a config the router can serve.
 */

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' or '-', starting with a letter or digit");

/**
 * An origin or endpoint URL. One check that parses once and never throws: a string the URL
 * parser refuses is an issue on this field (400 invalid_config), not a fault (500).
 */
const httpUrl = z.string().superRefine((u, ctx) => {
  const problem = httpUrlProblem(u);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

/** Why `u` is not an acceptable origin URL, or undefined when it is. */
export function httpUrlProblem(u: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    return "not a URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return "only http and https URLs are allowed";
  if (parsed.username !== "" || parsed.password !== "" || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(u.trim()))
    return "credentials in origin URLs are not allowed";
  if (parsed.hostname === "") return "an origin URL needs a host";
  if (parsed.search !== "" || parsed.hash !== "" || u.includes("?") || u.includes("#")) return "origin URLs take no query or fragment";
  return undefined;
}

export const SELECTION_ALGORITHMS = [
  "round_robin",
  "weighted_round_robin",
  "random",
  "least_outstanding",
  "p2c_ewma",
  "hash",
  "score",
] as const;
export type SelectionAlgorithm = (typeof SELECTION_ALGORITHMS)[number];

export const STEERING_POLICIES = [
  "proximity",
  "geo",
  "failover",
  "random",
  "least_outstanding",
  "dynamic_latency",
] as const;
export type SteeringPolicy = (typeof STEERING_POLICIES)[number];

export const SCALING_PROVIDERS = ["aws", "gcp", "azure", "kubernetes", "webhook"] as const;
export type ScalingProvider = (typeof SCALING_PROVIDERS)[number];

const affinitySchema = z.discriminatedUnion("by", [
  z.object({ by: z.literal("none") }),
  z.object({ by: z.literal("ip") }),
  z.object({ by: z.literal("header"), name: z.string().min(1).max(128).toLowerCase() }),
  z.object({
    by: z.literal("cookie"),
    name: z.string().min(1).max(128).regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "a cookie name token"),
    ttl_s: z.number().int().positive().max(31_536_000).default(82_800),
  }),
]);
export type Affinity = z.infer<typeof affinitySchema>;

const expectedCodes = z
  .string()
  .regex(/^([1-5]xx|[1-5]\d\d)(,\s*([1-5]xx|[1-5]\d\d))*$/, "like '2xx' or '200,301'");

const healthSchema = z
  .object({
    path: z.string().startsWith("/").default("/healthz"),
    interval_s: z.number().int().min(5).max(3600).default(30),
    timeout_ms: z.number().int().min(100).max(60_000).default(2000),
    expected_codes: expectedCodes.default("2xx"),
    consecutive_up: z.number().int().min(1).max(10).default(2),
    consecutive_down: z.number().int().min(1).max(10).default(2),
  })
  .strict();

const originSchema = z
  .object({
    id,
    url: httpUrl,
    weight: z.number().min(0).max(1000).default(1),
    capacity_rps: z.number().positive().optional(),
    /** The Host sent upstream instead of the origin URL's host (a DNS name; see originTarget). */
    host_header: z
      .string()
      .max(253)
      .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/, "a DNS host name, without port")
      .optional(),
    enabled: z.boolean().default(true),
  })
  .strict();

const scalingSchema = z
  .object({
    provider: z.enum(SCALING_PROVIDERS),
    mode: z.enum(["off", "forecast_only", "forecast_and_scale"]).default("forecast_only"),
    target: z.record(z.string(), z.string()),
    min: z.number().int().min(0),
    max: z.number().int().min(1),
    rps_per_instance: z.number().positive(),
    headroom: z.number().min(0).max(10).default(0.2),
    endpoint: httpUrl.optional(),
    /** Planner damping (src/scheduler/scaling/policy.ts); defaults 300 s each. */
    lead_s: z.number().int().min(0).max(3600).optional(),
    stabilization_s: z.number().int().min(0).max(3600).optional(),
    cooldown_s: z.number().int().min(0).max(3600).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.min > s.max) ctx.addIssue({ code: "custom", path: ["min"], message: "min must be <= max" });
    const t = TARGET_SCHEMAS[s.provider].safeParse(s.target);
    if (!t.success)
      for (const i of t.error.issues)
        ctx.addIssue({ code: "custom", path: ["target", ...i.path.map((k: PropertyKey) => (typeof k === "symbol" ? String(k) : k))], message: `${s.provider}: ${i.message}` });
  });

const poolSchema = z
  .object({
    id,
    location: z
      .object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) })
      .strict()
      .optional(),
    weight: z.number().min(0).max(1000).default(1),
    selection: z.enum(SELECTION_ALGORITHMS).default("p2c_ewma"),
    affinity: affinitySchema.default({ by: "none" }),
    health: healthSchema.default(healthSchema.parse({})),
    origins: z.array(originSchema).min(1).max(10_000),
    scaling: scalingSchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.selection === "hash" && p.affinity.by === "none")
      ctx.addIssue({ code: "custom", path: ["affinity", "by"], message: "selection 'hash' needs affinity by cookie, header or ip" });
  });

const breakerSchema = z
  .object({
    failure_rate: z.number().gt(0).max(1).default(0.5),
    slow_call_rate: z.number().gt(0).max(1).default(1.0),
    slow_call_ms: z.number().int().positive().default(2000),
    window: z
      .discriminatedUnion("type", [
        z.object({ type: z.literal("time"), size_s: z.number().int().min(1).max(3600).default(10) }),
        z.object({ type: z.literal("count"), size: z.number().int().min(1).max(10_000).default(100) }),
      ])
      .default({ type: "time", size_s: 10 }),
    min_calls: z.number().int().min(1).default(20),
    consecutive_failures: z.number().int().min(0).default(5),
    open_ms: z.number().int().min(100).default(30_000),
    open_max_ms: z.number().int().min(100).default(300_000),
    half_open_calls: z.number().int().min(1).max(100).default(3),
    max_ejection_percent: z.number().min(0).max(100).default(50),
    /** Status codes and classes that count as failures; connect errors and timeouts always do. */
    failure_statuses: z.array(z.string().regex(/^([45]xx|[45]\d\d)$/)).default(["5xx", "429"]),
    /** Colos that must report failures before a fleet-wide open, unless the failure is total. */
    min_reporting_colos: z.number().int().min(1).max(10).default(2),
    /** How stale an isolate's view of a breaker may get before it refreshes (ms). */
    staleness_ms: z.number().int().min(100).max(60_000).default(1000),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.open_max_ms < b.open_ms)
      ctx.addIssue({ code: "custom", path: ["open_max_ms"], message: "open_max_ms must be >= open_ms" });
  });

const retryOn = z.union([z.literal("connect"), z.literal("timeout"), z.string().regex(/^5\d\d$/, "a status from 500 to 599")]);

const retriesSchema = z
  .object({
    attempts: z.number().int().min(0).max(5).default(2),
    per_try_timeout_ms: z.number().int().min(50).max(120_000).default(5000),
    budget_percent: z.number().min(0).max(100).default(20),
    /** Retries always allowed regardless of budget (Envoy's min_retry_concurrency). */
    min_retries_per_window: z.number().int().min(0).default(3),
    /** How long a retry that finds the budget full waits for a slot before the client gets the failure. */
    budget_wait_ms: z.number().int().min(0).max(10_000).default(1000),
    on: z.array(retryOn).default(["connect", "timeout", "502", "503", "504"]),
    /** Non-idempotent requests are retried only when their body was buffered and is at most this size. */
    max_buffer_bytes: z.number().int().min(0).max(1_048_576).default(65_536),
  })
  .strict();

const steeringSchema = z
  .object({
    policy: z.enum(STEERING_POLICIES).default("proximity"),
    fallback_pool: id.optional(),
    geo: z.record(z.string(), z.array(id).min(1)).default({}),
  })
  .strict();

export const edgeConfigSchema = z
  .object({
    debug_headers: z.boolean().default(false),
    allow_private_origins: z.boolean().default(false),
    steering: steeringSchema.default(steeringSchema.parse({})),
    pools: z.array(poolSchema).min(1).max(256),
    breaker: breakerSchema.default(breakerSchema.parse({})),
    retries: retriesSchema.default(retriesSchema.parse({})),
  })
  .strict()
  .superRefine((c, ctx) => {
    const poolIds = new Set<string>();
    c.pools.forEach((p, i) => {
      if (poolIds.has(p.id)) ctx.addIssue({ code: "custom", path: ["pools", i, "id"], message: `duplicate pool id '${p.id}'` });
      poolIds.add(p.id);
    });
    const originIds = new Set<string>();
    c.pools.forEach((p, i) =>
      p.origins.forEach((o, j) => {
        if (originIds.has(o.id))
          ctx.addIssue({ code: "custom", path: ["pools", i, "origins", j, "id"], message: `duplicate origin id '${o.id}' (origin ids are global)` });
        originIds.add(o.id);
      }),
    );
    const fb = c.steering.fallback_pool;
    if (fb !== undefined && !poolIds.has(fb))
      ctx.addIssue({ code: "custom", path: ["steering", "fallback_pool"], message: `no pool '${fb}'` });
    for (const [key, list] of Object.entries(c.steering.geo)) {
      if (key !== "default" && !/^[A-Z]{2}$/.test(key))
        ctx.addIssue({ code: "custom", path: ["steering", "geo", key], message: "keys are ISO country codes, continent codes or 'default'" });
      list.forEach((pid, k) => {
        if (!poolIds.has(pid)) ctx.addIssue({ code: "custom", path: ["steering", "geo", key, k], message: `no pool '${pid}'` });
      });
    }
    if (c.steering.policy === "proximity")
      c.pools.forEach((p, i) => {
        if (!p.location) ctx.addIssue({ code: "custom", path: ["pools", i, "location"], message: "steering 'proximity' needs a location on every pool" });
      });
    if (c.steering.policy === "geo" && c.steering.geo["default"] === undefined && fb === undefined)
      ctx.addIssue({ code: "custom", path: ["steering", "geo"], message: "steering 'geo' needs a 'default' entry or a fallback_pool" });
  });

export type EdgeConfigInput = z.input<typeof edgeConfigSchema>;
export type EdgeConfig = z.infer<typeof edgeConfigSchema>;
export type PoolConfig = EdgeConfig["pools"][number];
export type OriginConfig = PoolConfig["origins"][number];
export type BreakerConfig = EdgeConfig["breaker"];
export type RetriesConfig = EdgeConfig["retries"];
export type ScalingConfig = NonNullable<PoolConfig["scaling"]>;
export type HealthConfig = PoolConfig["health"];

export interface ConfigIssue {
  path: string;
  message: string;
}

export type ParseResult = { ok: true; config: EdgeConfig } | { ok: false; issues: ConfigIssue[] };

/** Parses untrusted JSON into a config; every issue names its dotted field path. */
export function parseConfig(input: unknown): ParseResult {
  const r = edgeConfigSchema.safeParse(input);
  if (r.success) return { ok: true, config: r.data };
  return {
    ok: false,
    issues: r.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
  };
}
