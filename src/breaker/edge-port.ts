import type { EdgeConfig } from "../config/schema";
import type { BreakerClient } from "./client";
import type { CallOutcome } from "./outcome";

/**
 * Adapts BreakerClient to the router's BreakerPort (src/edge/runtime.ts) without either
 * side importing the other's types: configure takes the active config record, record takes
 * the proxy's attempt record (its outcome kinds are a subset of CallOutcome).
 */
export function breakerPort(client: BreakerClient) {
  return {
    get version(): number {
      return client.version;
    },
    configure: (active: { config: EdgeConfig }) => client.configure(active.config),
    admit: (originId: string) => client.admit(originId),
    available: (originId: string) => client.available(originId),
    record: (rec: { origin: string; outcome: CallOutcome }, colo: string) => client.record(rec.origin, rec.outcome, colo),
    sync: () => client.sync(),
    warmUp: (originIds: readonly string[], budgetMs: number) => client.warmUp(originIds, budgetMs),
  };
}
