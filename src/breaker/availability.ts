import { isForced, rawVerdict, type Entry } from "./client-entry";
import { heldByCap } from "./ejection-cap";

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
  private percent = 50;
  version = 0;

  setPools(pools: ReadonlyMap<string, readonly string[]>, percent: number): void {
    this.members = pools;
    this.percent = percent;
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
    if (e.pool && this.members.has(e.pool)) this.updatePool(e.pool, entries, now);
    else this.set(e.id, rawVerdict(e, now) === "in");
  }

  updateAll(entries: ReadonlyMap<string, Entry>, now: number): void {
    this.held = new Set();
    const pools = new Set<string>();
    for (const e of entries.values()) {
      if (e.pool && this.members.has(e.pool)) pools.add(e.pool);
      else this.set(e.id, rawVerdict(e, now) === "in");
    }
    for (const p of pools) this.updatePool(p, entries, now);
    for (const id of [...this.avail.keys()]) if (!entries.has(id)) this.set(id, true);
  }

  private updatePool(pool: string, entries: ReadonlyMap<string, Entry>, now: number): void {
    const members = (this.members.get(pool) ?? []).map((id) => {
      const e = entries.get(id);
      if (!e) return { id, out: false, forced: false, since: 0 };
      const objectClosed = (e.snap?.state ?? "closed") === "closed";
      const since = objectClosed && e.localTrip ? e.localTrip.at : (e.snap?.since ?? 0);
      return { id, out: rawVerdict(e, now) !== "in", forced: isForced(e), since };
    });
    const held = heldByCap(members, this.percent);
    for (const m of members) {
      if (held.has(m.id)) this.held.add(m.id);
      else this.held.delete(m.id);
      this.set(m.id, !m.out || held.has(m.id));
    }
  }

  private set(id: string, v: boolean): void {
    if (this.isAvailable(id) !== v) this.version += 1;
    this.avail.set(id, v);
  }
}
