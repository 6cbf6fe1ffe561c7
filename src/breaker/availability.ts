import { isForced, rawVerdict, type Entry } from "./client-entry";
import { type CapMember, heldByCap } from "./ejection-cap";

/**
 * Which origins this isolate may route to, after the pool ejection cap, with a version that
 * moves whenever any answer changes (so the router rebuilds pickers from a fresh snapshot
 * instead of asking per pick: STYLE.md rule 2).
 */
export class AvailabilityBook {
  private avail = new Map<string, boolean>();
  private held = new Set<string>();
  private poolOf = new Map<string, string>();
  private members: ReadonlyMap<string, readonly string[]> = new Map();
  /**
   * Each pool's members that were out at their last evaluation. Only these and the member
   * that changed can change the cap's decision, so one breaker's news costs O(out members),
   * not O(pool): with 10,000 origins a pool-wide pass on every breaker reply was most of the
   * isolate's CPU. Verdicts that change by time alone (a local trip or a lease expiring) are
   * picked up by the full pass the client runs at each entry's expiry (updateAll).
   */
  private outs = new Map<string, Map<string, CapMember>>();
  private percent = 50;
  version = 0;

  setPools(pools: ReadonlyMap<string, readonly string[]>, percent: number): void {
    this.members = pools;
    this.percent = percent;
    this.outs = new Map();
    this.poolOf = new Map();
    for (const [pool, ids] of pools) for (const id of ids) this.poolOf.set(id, pool);
  }

  poolOfOrigin(id: string): string | null {
    return this.poolOf.get(id) ?? null;
  }

  isAvailable(id: string): boolean {
    return this.avail.get(id) ?? true;
  }

  isHeld(id: string): boolean {
    return this.held.has(id);
  }

  /** Recomputes the pool of `e` (or `e` alone when it belongs to no configured pool). */
  update(e: Entry, entries: ReadonlyMap<string, Entry>, now: number): void {
    if (e.pool && this.members.has(e.pool)) this.updatePool(e.pool, entries, now, this.poolOf.get(e.id) === e.pool ? e.id : undefined);
    else this.set(e.id, rawVerdict(e, now) === "in");
  }

  updateAll(entries: ReadonlyMap<string, Entry>, now: number): void {
    this.held = new Set();
    this.outs = new Map();
    const pools = new Set<string>();
    for (const e of entries.values()) {
      if (e.pool && this.members.has(e.pool)) pools.add(e.pool);
      else this.set(e.id, rawVerdict(e, now) === "in");
    }
    for (const p of pools) this.updatePool(p, entries, now);
    for (const id of [...this.avail.keys()]) if (!entries.has(id)) this.set(id, true);
  }

  /**
   * Re-evaluates a pool: every member, or (with `changed`) that member and the members out
   * at their last evaluation, which is the same answer when nothing else changed meanwhile.
   */
  private updatePool(pool: string, entries: ReadonlyMap<string, Entry>, now: number, changed?: string): void {
    const members = this.members.get(pool) ?? [];
    let outs = this.outs.get(pool);
    let ids: Iterable<string>;
    if (changed === undefined || outs === undefined) {
      outs = new Map();
      this.outs.set(pool, outs);
      ids = members;
    } else ids = new Set([changed, ...outs.keys()]);
    for (const id of ids) {
      const m = capMember(id, entries.get(id), now);
      if (m.out) outs.set(id, m);
      else outs.delete(id);
    }
    const held = heldByCap([...outs.values()], this.percent, members.length);
    for (const id of ids) {
      const out = outs.has(id);
      if (held.has(id)) this.held.add(id);
      else this.held.delete(id);
      this.set(id, !out || held.has(id));
    }
  }

  private set(id: string, v: boolean): void {
    if (this.isAvailable(id) !== v) this.version += 1;
    this.avail.set(id, v);
  }
}

function capMember(id: string, e: Entry | undefined, now: number): CapMember {
  if (!e) return { id, out: false, forced: false, since: 0 };
  const objectClosed = (e.snap?.state ?? "closed") === "closed";
  const since = objectClosed && e.localTrip ? e.localTrip.at : (e.snap?.since ?? 0);
  return { id, out: rawVerdict(e, now) !== "in", forced: isForced(e), since };
}
