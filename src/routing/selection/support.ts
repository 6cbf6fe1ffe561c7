import type { OriginEntry, PickRequest } from "./types.js";

/**
 * Helpers shared by the pickers: exclusion bookkeeping for retries. O(1) without
 * exclusions, O(|exclude|) with them.
 */

/** Rejection draws a retry tries before falling back to one pass over the allowed set. */
export const REJECTION_ATTEMPTS = 8;

/** id → position in the snapshot, built once per snapshot. */
export function indexById(origins: readonly OriginEntry[]): Map<string, number> {
  const m = new Map<string, number>();
  origins.forEach((o, i) => m.set(o.id, i));
  return m;
}

/**
 * Number of snapshot origins the request may still use. `exclude` may name origins
 * outside this snapshot (a retry that moved pools); those do not count.
 */
export function allowedCount(index: ReadonlyMap<string, number>, exclude: ReadonlySet<string> | undefined): number {
  if (exclude === undefined || exclude.size === 0) return index.size;
  let hit = 0;
  for (const id of exclude) if (index.has(id)) hit++;
  return index.size - hit;
}

export function isExcluded(req: PickRequest, id: string): boolean {
  return req.exclude !== undefined && req.exclude.has(id);
}

/** A uniform integer in [0, n). */
export function randomIndex(random: () => number, n: number): number {
  const i = Math.floor(random() * n);
  return i < n ? i : n - 1; // guards a source that returns exactly 1 by mistake
}

/**
 * The allowed origin of lowest cost; ties are broken by weighted reservoir sampling, so
 * each tied origin is chosen with probability weight / (total tied weight).
 */
export function weightedArgmin(origins: readonly OriginEntry[], req: PickRequest, cost: (o: OriginEntry) => number): OriginEntry | undefined {
  let best: OriginEntry | undefined;
  let bestCost = Infinity;
  let tieWeight = 0;
  for (const o of origins) {
    if (isExcluded(req, o.id)) continue;
    const c = cost(o);
    if (best === undefined || c < bestCost) {
      best = o;
      bestCost = c;
      tieWeight = o.weight;
    } else if (c === bestCost) {
      tieWeight += o.weight;
      if (req.random() * tieWeight < o.weight) best = o;
    }
  }
  return best;
}
