/**
 * The pool-level safety rail (Envoy outlier detection's max_ejection_percent): breakers may
 * hold at most floor(n × percent / 100) of a pool's n origins out, but never fewer than one
 * while the pool has two or more (CONTRACT.md). Beyond the cap an open breaker is "held":
 * the origin stays available and its status says it would open.
 *
 * Which open breakers count against the cap is decided the same way in every isolate and in
 * the status API, with no coordination: operator-forced opens first (never held), then
 * breakers in the order they opened (earliest `since`, ties by id), as Envoy refuses the
 * ejection that would exceed the cap rather than undoing an earlier one.
 */
export interface CapMember {
  id: string;
  /** open / forced_open / half_open (a half-open origin still takes no normal traffic) */
  out: boolean;
  forced: boolean;
  since: number;
}

export function maxEjected(poolSize: number, percent: number): number {
  const n = Math.floor((poolSize * percent) / 100);
  return poolSize >= 2 ? Math.max(1, n) : n;
}

/**
 * Ids of members that are out but held available by the cap. `poolSize`: the pool's size
 * when `members` lists only some of it (the members that are out are enough to decide).
 */
export function heldByCap(members: readonly CapMember[], percent: number, poolSize = members.length): Set<string> {
  const allowed = maxEjected(poolSize, percent);
  const out = members
    .filter((m) => m.out)
    .sort((a, b) => Number(b.forced) - Number(a.forced) || a.since - b.since || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const held = new Set<string>();
  out.forEach((m, i) => {
    if (i >= allowed && !m.forced) held.add(m.id);
  });
  return held;
}
