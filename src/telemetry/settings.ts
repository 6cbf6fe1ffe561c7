import { z } from "zod";

/**
 * Telemetry knobs from worker vars (all optional strings, as wrangler passes them). Parsed
 * once at the edge with zod; a bad value is a deploy fault and throws naming the var.
 */
const schema = z.object({
  TELEMETRY_ENABLED: z.enum(["true", "false", "1", "0"]).default("true"),
  // Under 30 s: a deferred flush must fit in the time waitUntil keeps an idle isolate alive.
  TELEMETRY_FLUSH_MS: z.coerce.number().int().min(1000).max(25_000).default(10_000),
  TELEMETRY_MAX_KEYS: z.coerce.number().int().min(10).max(5000).default(500),
  TELEMETRY_MINUTE_DAYS: z.coerce.number().int().min(1).max(30).default(7),
  TELEMETRY_HOUR_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
});

export interface TelemetrySettings {
  enabled: boolean;
  flushIntervalMs: number;
  maxKeys: number;
  minuteDays: number;
  hourDays: number;
}

export type TelemetryVars = Partial<Record<keyof z.input<typeof schema>, string>>;

export function telemetrySettings(vars: TelemetryVars): TelemetrySettings {
  const clean = Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined && v !== ""));
  const r = schema.safeParse(clean);
  if (!r.success) {
    throw new Error(`invalid telemetry vars: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return {
    enabled: r.data.TELEMETRY_ENABLED === "true" || r.data.TELEMETRY_ENABLED === "1",
    flushIntervalMs: r.data.TELEMETRY_FLUSH_MS,
    maxKeys: r.data.TELEMETRY_MAX_KEYS,
    minuteDays: r.data.TELEMETRY_MINUTE_DAYS,
    hourDays: Math.max(r.data.TELEMETRY_HOUR_DAYS, r.data.TELEMETRY_MINUTE_DAYS),
  };
}
