import type { Env } from "../env";
import { settings } from "../env";
import { type BreakerPort, EdgeRuntime, type TelemetryPort } from "./runtime";

/** Until the breaker client lands: every origin available, nothing reported. */
const openBreakers: BreakerPort = {
  version: 0,
  configure: () => undefined,
  admit: () => true,
  available: () => true,
  record: () => undefined,
  sync: () => undefined,
  warmUp: async () => undefined,
};

const noTelemetry: TelemetryPort = {
  record: () => undefined,
  maybeFlush: () => undefined,
};

/** Builds an isolate's runtime with the real clock and randomness (the only place they are read). */
export function makeRuntime(env: Env): EdgeRuntime {
  return new EdgeRuntime(env, settings(env), { now: () => Date.now(), random: () => Math.random() }, openBreakers, noTelemetry);
}
