import type { OriginEntry, PickRequest } from "./types.js";

/**
 * Helpers shared by the pickers: exclusion bookkeeping and uniform sampling over the
 * origins a retry has not tried yet. Everything here is O(1) in the common case (no
 * exclusions) and O(|exclude|) or O(n) only on retries whose exclusions cover most of
 * the pool.
 */

/** How many rejection draws to try before materialising the allowed set (retries only). */
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
 * A uniform pick among origins that are neither excluded nor `skip` (used for the second
 * of two distinct choices), or -1 when none is left. Rejection sampling first (exactly
 * uniform, cheap when few are excluded); after REJECTION_ATTEMPTS misses it counts the
 * allowed origins and walks to a uniformly chosen one, which is also exactly uniform,
 * so the mixture is too.
 */
export function uniformAllowed(
  origins: readonly OriginEntry[],
  req: PickRequest,
  allowed: number,
  skip = -1,
): number {
  const n = origins.length;
  const left = skip >= 0 ? allowed - 1 : allowed;
  if (left <= 0) return -1;
  for (let a = 0; a < REJECTION_ATTEMPTS; a++) {
    const i = randomIndex(req.random, n);
    if (i !== skip && !isExcluded(req, origins[i]!.id)) return i;
  }
  let target = randomIndex(req.random, left);
  for (let i = 0; i < n; i++) {
    if (i === skip || isExcluded(req, origins[i]!.id)) continue;
    if (target-- === 0) return i;
  }
  return -1;
}

/**
 * `d` distinct uniform choices among allowed origins (fewer when fewer are allowed),
 * written into `out`; returns how many. Used by the power-of-d-choices pickers.
 */
export function distinctChoices(
  origins: readonly OriginEntry[],
  req: PickRequest,
  allowed: number,
  d: number,
  out: Int32Array,
): number {
  const want = Math.min(d, allowed);
  let got = 0;
  let guard = 0;
  while (got < want) {
    const i = got === 1 ? uniformAllowed(origins, req, allowed, out[0]) : uniformAllowed(origins, req, allowed);
    if (i < 0) break;
    let dup = false;
    for (let k = 0; k < got; k++) if (out[k] === i) dup = true;
    if (!dup) out[got++] = i;
    else if (++guard > 64) break; // only reachable with a broken random source
  }
  return got;
}
