import { BreakerClient } from "../breaker/client";
import type { Env } from "../env";
import { settings } from "../env";
import type { AttemptOutcome, AttemptRecord } from "../routing/proxy";
import { Telemetry, telemetrySettings, type Outcome, type RequestSample } from "../telemetry";
import { type BreakerPort, EdgeRuntime, type TelemetryPort } from "./runtime";

function telemetryOutcome(o: AttemptOutcome): Outcome {
  if (o.kind === "connect") return "connect";
  if (o.kind === "timeout") return "timeout";
  if (o.status >= 500) return "5xx";
  if (o.status >= 400) return "4xx";
  return "ok";
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The router's view of a breaker client (the seam tests use with their own clock). */
export function breakerPort(client: BreakerClient): BreakerPort {
  return {
    get version() {
      return client.version;
    },
    configure: (active) => client.configure(active.config),
    admit: (id, now) => client.admit(id, now),
    available: (id) => client.available(id),
    record: (rec: AttemptRecord, colo: string) => client.record(rec.origin, rec.outcome, colo, rec.endedAt),
    sync: (now) => client.sync(now),
    warmUp: (ids, budgetMs) => client.warmUp(ids, budgetMs),
    view: (id) => client.view(id),
    adminChanged: (id) => client.adminChanged(id),
  };
}

/**
 * Builds an isolate's runtime: the only place the real clock, randomness and timers are
 * read; everything below takes them as seams.
 */
export function makeRuntime(env: Env): EdgeRuntime {
  const now = () => Date.now();
  const random = () => Math.random();
  const isolateId = crypto.randomUUID();
  const client = new BreakerClient({ namespace: env.BREAKER, now, random, colo: "", isolateId, sleep });
  const breaker = breakerPort(client);
  const ts = telemetrySettings(env);
  const tel = new Telemetry({ now, enabled: ts.enabled, flushIntervalMs: ts.flushIntervalMs, maxKeys: ts.maxKeys, sleep });
  const telemetry: TelemetryPort = {
    record: (rec, country, colo) => {
      const o = rec.outcome;
      const sample: RequestSample = {
        at: rec.startedAt,
        pool: rec.pool,
        origin: rec.origin,
        country,
        colo,
        outcome: telemetryOutcome(o),
        latencyMs: o.latencyMs,
        bytes: rec.bytes,
        retry: rec.retry,
      };
      if (o.kind === "response") sample.status = o.status;
      tel.record(sample);
    },
    maybeFlush: (db, now) => tel.maybeFlush(db, now),
    flushNow: (db) => tel.flushNow(db).then(() => undefined),
    stats: () => ({ telemetry: tel.stats, breaker: client.stats }),
  };
  return new EdgeRuntime(env, settings(env), { now, random, sleep }, breaker, telemetry);
}
