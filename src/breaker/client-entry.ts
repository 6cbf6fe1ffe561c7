import { OutcomeBuffer } from "./outcome-buffer";
import type { BreakerObject } from "./breaker-object";
import type { BreakerSnapshot, BreakerState } from "./types";

/** What one isolate believes about one origin (status pages, debugging). */
export interface BreakerView {
  state: BreakerState;
  since: number;
  reason: string;
  generation: number;
  /** This isolate tripped on consecutive failures; the object has not (yet) confirmed. */
  locallyTripped: boolean;
  /** Open, but the pool's max_ejection_percent keeps it available. */
  heldByCap: boolean;
  wouldOpen: string | null;
  /** False until the object has answered once. */
  known: boolean;
}

export interface BreakerClientDeps {
  namespace: Pick<DurableObjectNamespace<BreakerObject>, "idFromName" | "get">;
  now: () => number;
  random: () => number;
  colo: string;
  isolateId: string;
  /** Timer seam for warmUp's budget (defaults to setTimeout). */
  sleep?: (ms: number) => Promise<void>;
}

/** One origin as this isolate sees it. Plain data; client.ts owns the mutations. */
export interface Entry {
  id: string;
  pool: string | null;
  snap: BreakerSnapshot | null;
  /** Local clock when the last sync was sent (a refresh or a report). */
  lastSyncAt: number;
  /** Outcome codes not yet reported, and how many of them were lease-admitted probes. */
  pending: OutcomeBuffer;
  pendingProbes: number;
  probesInFlight: number;
  /** Something changed since the last sync (traffic or a wish for leases). */
  dirty: boolean;
  /** Sync at the next chance regardless of the interval (a local trip, a first lease ask). */
  urgent: boolean;
  consecutive: number;
  localTrip: { at: number; until: number; reason: string } | null;
  localTrips: number;
  leases: number;
  leaseUntil: number;
  inflight: Promise<void> | null;
  /** Local clock of the first failed or hung sync since the object last answered (null: answering). */
  failingSince: number | null;
}

// Bounds memory if the object is unreachable for long: beyond this, outcomes are dropped (counted).
export const MAX_PENDING = 20_000;

export function newEntry(id: string, pool: string | null): Entry {
  return {
    id,
    pool,
    snap: null,
    lastSyncAt: Number.NEGATIVE_INFINITY,
    pending: new OutcomeBuffer(MAX_PENDING),
    pendingProbes: 0,
    probesInFlight: 0,
    dirty: false,
    urgent: false,
    consecutive: 0,
    localTrip: null,
    localTrips: 0,
    leases: 0,
    leaseUntil: 0,
    inflight: null,
    failingSince: null,
  };
}

/**
 * The isolate's verdict before the ejection cap: "in" takes traffic, "probe" is half-open
 * (traffic only under a lease), "out" is open, forced open or locally tripped.
 * An unknown origin is "in": the breaker fails open (a Durable Object outage must not take
 * healthy origins out of service).
 */
export function rawVerdict(e: Entry, now: number): "in" | "probe" | "out" {
  const state: BreakerState = e.snap?.state ?? "closed";
  if (state === "disabled") return "in";
  if (state === "forced_open" || state === "open") return "out";
  if (state === "half_open") return e.leases > 0 && e.leaseUntil > now ? "in" : "probe";
  return e.localTrip && e.localTrip.until > now ? "out" : "in";
}

export function isForced(e: Entry): boolean {
  return e.snap?.state === "forced_open";
}

/** When the entry's verdict may change by time alone (local trip or lease expiry). */
export function nextExpiry(e: Entry): number {
  let t = Number.POSITIVE_INFINITY;
  if (e.localTrip) t = Math.min(t, e.localTrip.until);
  if (e.leases > 0) t = Math.min(t, e.leaseUntil);
  return t;
}

/** Half-open, or open past its open time (the object's alarm is due or just fired). */
export function probing(e: Entry, now: number): boolean {
  const s = e.snap;
  return s !== null && (s.state === "half_open" || (s.state === "open" && s.openUntil !== null && s.openUntil <= now));
}
