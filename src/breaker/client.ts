import { edgeConfigSchema, type BreakerConfig, type EdgeConfig } from "../config/schema";
import { openDurationMs } from "./backoff";
import { isForced, newEntry, nextExpiry, probing, rawVerdict, type BreakerClientDeps, type BreakerView, type Entry } from "./client-entry";
import { AvailabilityBook } from "./availability";
import { outcomeCode, type CallOutcome } from "./outcome";
import type { ReportRequest } from "./types";

export type { CallOutcome } from "./outcome";
export type { BreakerClientDeps, BreakerView } from "./client-entry";

// Ask for probe leases only while this isolate serves the origin's pool.
const LEASE_INTEREST_MS = 10_000;
const DEFAULT_BREAKER: BreakerConfig = edgeConfigSchema.shape.breaker.parse(undefined);
/** A sync unanswered for this many staleness intervals is given up as failed (a hung object). */
const HUNG_INTERVALS = 5;
/**
 * The object's last word is trusted this many staleness intervals into an outage; after
 * that an open or half-open snapshot is dropped and the isolate breaks on its own
 * observations only (local trips), so a stale "open" cannot hold a recovered origin out
 * for as long as the object stays unreachable. Forced states (an operator's) are kept.
 */
const LOCAL_ONLY_INTERVALS = 10;

/**
 * The isolate side of the shared breaker. Every request-path method is synchronous and
 * reads an isolate-local snapshot; the Durable Object is reached only from sync() (run under
 * ctx.waitUntil) or, on a cold isolate, warmUp() with a budget. One RPC per origin per
 * staleness interval carries the batched outcomes, refreshes the snapshot and asks for
 * half-open leases. Fail-open: a failing object leaves the last known state in force.
 */
export class BreakerClient {
  private cfg: BreakerConfig = DEFAULT_BREAKER;
  private readonly entries = new Map<string, Entry>();
  private readonly book = new AvailabilityBook();
  private readonly poolTouchedAt = new Map<string, number>();
  private nextDue = Number.POSITIVE_INFINITY;
  private nextExpiryAt = Number.POSITIVE_INFINITY;
  readonly stats = { reports: 0, refreshes: 0, failures: 0, awaited: 0, dropped: 0, localOnly: 0 };

  private colo: string;

  constructor(private readonly deps: BreakerClientDeps) {
    this.colo = deps.colo;
  }

  get version(): number {
    return this.book.version;
  }

  configure(config: EdgeConfig): void {
    this.cfg = config.breaker;
    const pools = new Map(config.pools.map((p) => [p.id, p.origins.filter((o) => o.enabled).map((o) => o.id)]));
    this.book.setPools(pools, config.breaker.max_ejection_percent);
    for (const [id, e] of this.entries) {
      const pool = this.book.poolOfOrigin(id);
      if (pool === null) this.entries.delete(id);
      else e.pool = pool;
    }
    this.recomputeAll(this.deps.now());
  }

  /** `now`: the caller's reading of the clock, when it has one (as for record and sync). */
  admit(originId: string, now = this.deps.now()): boolean {
    this.tick(now);
    const e = this.entry(originId);
    this.touch(e, now);
    const v = rawVerdict(e, now);
    if (v === "in") {
      if (e.snap?.state === "half_open") {
        e.leases -= 1;
        e.probesInFlight += 1;
        if (e.leases === 0) this.recomputePool(e, now);
      }
      return true;
    }
    if (v === "probe") this.wantLeases(e, now);
    return this.book.isHeld(originId) && !isForced(e);
  }

  available(originId: string): boolean {
    this.tick(this.deps.now());
    return this.book.isAvailable(originId);
  }

  /** `colo` (optional) updates this isolate's colo: an isolate runs in one colo, known from the first request. */
  record(originId: string, outcome: CallOutcome, colo?: string, now = this.deps.now()): void {
    if (colo) this.colo = colo;
    const e = this.entry(originId);
    const code = outcomeCode(outcome, this.cfg);
    if (e.pending.push(code)) {
      if (e.probesInFlight > 0) {
        // A probe's result is reported at once: the fleet waits on the half-open verdict.
        e.probesInFlight -= 1;
        e.pendingProbes += 1;
        e.urgent = true;
        this.nextDue = now;
      }
    } else this.stats.dropped += 1;
    this.touch(e, now);
    const failure = code !== "s" && code !== "S";
    if (!failure) {
      e.consecutive = 0;
      if (!e.localTrip) e.localTrips = 0;
      return;
    }
    e.consecutive += 1;
    const n = this.cfg.consecutive_failures;
    const closed = (e.snap?.state ?? "closed") === "closed";
    if (n > 0 && e.consecutive >= n && closed && !(e.localTrip && e.localTrip.until > now)) {
      // Fast local detection (cockatiel ConsecutiveBreaker) before the object confirms; the
      // report goes out at once so the fleet converges quickly.
      const ms = openDurationMs(this.cfg, e.localTrips, this.deps.random);
      e.localTrip = { at: now, until: now + ms, reason: `tripped locally: ${e.consecutive} consecutive failures; open for ${ms} ms` };
      e.localTrips += 1;
      e.consecutive = 0;
      e.urgent = true;
      this.nextDue = now;
      this.recomputePool(e, now);
    }
  }

  sync(now = this.deps.now()): Promise<void> | undefined {
    this.tick(now);
    if (now < this.nextDue) return undefined;
    const work: Promise<void>[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const e of this.entries.values()) {
      if (e.inflight && now - e.lastSyncAt > HUNG_INTERVALS * this.cfg.staleness_ms) {
        e.inflight = null;
        this.stats.failures += 1;
        e.failingSince ??= e.lastSyncAt;
        this.syncFailed(e, now);
      }
      const due = this.dueAt(e, now);
      if (due <= now && !e.inflight) work.push(this.syncEntry(e));
      else next = Math.min(next, e.inflight ? now + this.cfg.staleness_ms : due);
    }
    this.nextDue = work.length > 0 ? Math.min(next, now + this.cfg.staleness_ms) : next;
    return work.length > 0 ? Promise.all(work).then(() => undefined) : undefined;
  }

  async warmUp(originIds: readonly string[], budgetMs: number): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const id of originIds) {
      const e = this.entry(id);
      if (e.snap) continue;
      waits.push(e.inflight ?? this.syncEntry(e));
    }
    if (waits.length === 0) return;
    this.stats.awaited += 1;
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    await Promise.race([Promise.all(waits), sleep(budgetMs)]);
  }

  /**
   * After an operator's command on this origin (open, close, reset): drop any local trip
   * and fetch the object's new state now, so this isolate follows the operator at once;
   * other isolates follow within staleness_ms.
   */
  async adminChanged(originId: string): Promise<void> {
    const e = this.entry(originId);
    e.localTrip = null;
    if (e.inflight) await e.inflight;
    await this.syncEntry(e);
  }

  view(originId: string): BreakerView {
    const now = this.deps.now();
    this.tick(now);
    const e = this.entries.get(originId) ?? newEntry(originId, this.book.poolOfOrigin(originId));
    const trip = e.localTrip && e.localTrip.until > now && (e.snap?.state ?? "closed") === "closed" ? e.localTrip : null;
    return {
      state: trip ? "open" : (e.snap?.state ?? "closed"),
      since: trip ? trip.at : (e.snap?.since ?? 0),
      reason: trip ? trip.reason : (e.snap?.reason ?? "no state from the breaker object yet"),
      generation: e.snap?.generation ?? 0,
      locallyTripped: trip !== null,
      heldByCap: this.book.isHeld(originId),
      wouldOpen: e.snap?.wouldOpen ?? null,
      known: e.snap !== null,
    };
  }

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (!e) {
      e = newEntry(id, this.book.poolOfOrigin(id));
      this.entries.set(id, e);
    }
    return e;
  }

  private touch(e: Entry, now: number): void {
    if (e.pool) this.poolTouchedAt.set(e.pool, now);
    if (!e.dirty) {
      e.dirty = true;
      this.nextDue = Math.min(this.nextDue, this.dueAt(e, now));
    }
  }

  private wantLeases(e: Entry, now: number): void {
    if (e.lastSyncAt + this.cfg.staleness_ms > now && e.dirty) return;
    e.urgent = true;
    e.dirty = true;
    this.nextDue = now;
  }

  /** When this entry next needs an RPC: traffic to report, or a non-closed state to follow. */
  private dueAt(e: Entry, now: number): number {
    if (e.urgent) return now;
    const poolActive = e.pool !== null && now - (this.poolTouchedAt.get(e.pool) ?? -Infinity) < LEASE_INTEREST_MS;
    const following = rawVerdict(e, now) !== "in" || e.snap === null || e.snap.state === "half_open";
    if (e.dirty || (following && poolActive)) return e.lastSyncAt + this.cfg.staleness_ms;
    return Number.POSITIVE_INFINITY;
  }

  private syncEntry(e: Entry): Promise<void> {
    const now = this.deps.now();
    const poolActive = e.pool !== null && now - (this.poolTouchedAt.get(e.pool) ?? -Infinity) < LEASE_INTEREST_MS;
    const req: ReportRequest = {
      origin: e.id,
      pool: e.pool ?? "",
      colo: this.colo,
      isolate: this.deps.isolateId,
      outcomes: e.pending.take(),
      probes: e.pendingProbes,
      wantLeases: probing(e, now) && poolActive && e.leases === 0 ? this.cfg.half_open_calls : 0,
    };
    e.pendingProbes = 0;
    e.dirty = false;
    e.urgent = false;
    e.lastSyncAt = now;
    if (req.outcomes.length > 0) this.stats.reports += 1;
    else this.stats.refreshes += 1;
    const stub = this.deps.namespace.get(this.deps.namespace.idFromName(e.id));
    // Declared first: the closure's finally compares against it.
    let run: Promise<void> | undefined;
    run = (async () => {
      try {
        const reply = await stub.report(req, this.cfg);
        const at = this.deps.now();
        // A reply can overtake a newer one; generations only move forward.
        if (!e.snap || reply.snapshot.generation >= e.snap.generation) e.snap = reply.snapshot;
        const state = e.snap.state;
        if (state === "half_open") {
          if (reply.leases > 0) (e.leases += reply.leases), (e.leaseUntil = at + reply.leaseTtlMs);
          else if (req.wantLeases === 0 && poolActive) {
            // Learnt of half-open without asking: ask for leases at the next sync, not an interval later.
            e.urgent = true;
            e.dirty = true;
            this.nextDue = at;
          }
        } else e.leases = 0;
        e.failingSince = null;
        if (state !== "closed") e.localTrip = null; // the object's verdict now governs
        this.recomputePool(e, at);
      } catch (err) {
        // Fail-open: keep the last known state; put the outcomes back for the next interval.
        this.stats.failures += 1;
        e.pending.putBack(req.outcomes);
        e.pendingProbes += req.probes;
        e.dirty = true;
        this.syncFailed(e, this.deps.now());
        console.warn("breaker: report to object failed; keeping last known state", { origin: e.id, err: String(err) });
      } finally {
        // An abandoned (hung) sync must not clear a newer one.
        if (e.inflight === run) e.inflight = null;
      }
    })();
    e.inflight = run;
    return run;
  }

  /** The object did not answer: within the budget keep its last word, then break locally. */
  private syncFailed(e: Entry, now: number): void {
    e.failingSince ??= now;
    const state = e.snap?.state;
    if ((state === "open" || state === "half_open") && now - e.failingSince >= LOCAL_ONLY_INTERVALS * this.cfg.staleness_ms) {
      e.snap = null;
      e.leases = 0;
      this.stats.localOnly += 1;
      this.recomputePool(e, now);
    }
  }

  private tick(now: number): void {
    if (now < this.nextExpiryAt) return;
    for (const e of this.entries.values()) {
      if (e.localTrip && e.localTrip.until <= now) e.localTrip = null;
      if (e.leases > 0 && e.leaseUntil <= now) e.leases = 0;
    }
    this.recomputeAll(now);
  }

  private recomputeAll(now: number): void {
    this.book.updateAll(this.entries, now);
    this.nextExpiryAt = Math.min(...[...this.entries.values()].map(nextExpiry), Number.POSITIVE_INFINITY);
  }

  private recomputePool(e: Entry, now: number): void {
    this.book.update(e, this.entries, now);
    this.nextExpiryAt = Math.min(this.nextExpiryAt, nextExpiry(e));
  }
}
