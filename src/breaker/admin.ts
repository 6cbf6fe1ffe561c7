import type { EdgeConfig } from "../config/schema";
import type { BreakerObject, ObjectView } from "./breaker-object";
import { heldByCap, maxEjected } from "./ejection-cap";
import type { AdminAction } from "./state-machine";
import { emptyCounts, type BreakerStatus } from "./types";

export type BreakerNamespace = Pick<DurableObjectNamespace<BreakerObject>, "idFromName" | "get">;

const iso = (ms: number): string => new Date(ms).toISOString();

function toStatus(v: ObjectView): BreakerStatus {
  return {
    state: v.state,
    since: iso(v.since),
    reason: v.wouldOpen ?? v.reason,
    generation: v.generation,
    would_open: v.wouldOpen !== null,
    held_by_cap: false,
    object_state: v.state,
    open_until: v.openUntil === null ? null : iso(v.openUntil),
    counts: v.counts,
  };
}

/**
 * Authoritative breaker status, one object call per origin (in parallel). With `config`, the
 * pool ejection cap is applied exactly as isolates apply it, so an origin the cap holds shows
 * `closed` with would_open/held_by_cap rather than an `open` that routing does not honour.
 * An unreachable object fails open, like the isolates: closed, and the reason says why.
 */
export async function breakerStatus(
  namespace: BreakerNamespace,
  originIds: readonly string[],
  config?: EdgeConfig,
): Promise<Record<string, BreakerStatus>> {
  const out: Record<string, BreakerStatus> = {};
  await Promise.all(
    originIds.map(async (id) => {
      try {
        out[id] = toStatus(await namespace.get(namespace.idFromName(id)).status(id));
      } catch (err) {
        out[id] = {
          ...toStatus({ origin: id, pool: "", state: "closed", since: 0, reason: "", generation: 0, openUntil: null, wouldOpen: null, counts: emptyCounts() }),
          reason: `breaker state unavailable (${String(err)}); routing fails open`,
        };
      }
    }),
  );
  if (config) applyCap(out, config);
  return out;
}

function applyCap(out: Record<string, BreakerStatus>, config: EdgeConfig): void {
  const pct = config.breaker.max_ejection_percent;
  for (const pool of config.pools) {
    const ids = pool.origins.filter((o) => o.enabled).map((o) => o.id);
    const members = ids.map((id) => {
      const s = out[id];
      const out_ = s !== undefined && (s.state === "open" || s.state === "forced_open" || s.state === "half_open");
      return { id, out: out_, forced: s?.state === "forced_open", since: s ? Date.parse(s.since) : 0 };
    });
    for (const id of heldByCap(members, pct)) {
      const s = out[id];
      if (!s) continue;
      out[id] = {
        ...s,
        state: "closed",
        would_open: true,
        held_by_cap: true,
        reason: `would open (${s.reason}) but max_ejection_percent ${pct} holds it: at most ${maxEjected(ids.length, pct)} of ${ids.length} origins in pool '${pool.id}' may be ejected`,
      };
    }
  }
}

/** POST /_edge/api/breakers/{id}/{open|close|reset}: forced_open, disabled, or a fresh closed. */
export async function breakerCommand(namespace: BreakerNamespace, originId: string, action: AdminAction): Promise<BreakerStatus> {
  return toStatus(await namespace.get(namespace.idFromName(originId)).command(originId, action));
}
