import { fmix32, murmur3String } from "./murmur3.js";
import { allowedCount, indexById } from "./support.js";
import type { OriginEntry, Picker, PickerFactory, PickRequest } from "./types.js";

/**
 * hash: session affinity on a consistent-hash ring with virtual nodes (Karger et al.
 * 1997; libketama; Envoy RING_HASH). The key (cookie, header or client IP, chosen by
 * the proxy) is hashed with MurmurHash3 and served by the first ring point clockwise.
 *
 * Why a ring and not Maglev: the law is "when an origin leaves, only its keys
 * move". On a ring that is exact: the other origins' points do not change, so a key
 * moves only if its point belonged to the leaver. Maglev rebuilds its permutation table
 * and moves some of the other origins' keys too, a cost its paper accepts for even
 * balance and O(1) lookups (Eisenbud et al., "Maglev", NSDI 2016). The ring
 * also gives retries an exact rule: walking clockwise past excluded origins returns
 * what the ring without them would return, i.e. the key's next candidate. The price is
 * an O(log points) binary search instead of Maglev's O(1) lookup; at ≤ 2^20 points that
 * is ~20 comparisons, well inside the pick budget.
 *
 * Points per origin depend only on the origin's own weight and a scale quantised to
 * powers of two: m = max(1, round(160 × weight / unit × 2^-k)), unit = the largest
 * power of two ≤ the largest weight, k the fewest halvings that keep the ring at or
 * under 2^20 points (160 as ketama, which uses 40 × 4 points per server). So the law is
 * exact unless the leaver's departure moves the largest weight across a power of two or
 * shrinks the ring across a halving step; then all origins gain points and more keys move.
 * Each origin's points are a prefix of its own sequence (double hashing of the id,
 * Kirsch & Mitzenmacher 2006), so even then movement is limited to the added points.
 * Equal 32-bit points are ordered by origin id, which does not depend on membership.
 * Owners are stored as 16-bit ranks: the schema caps a pool at 10,000 origins.
 *
 * No key (e.g. the first request before a cookie exists): a uniformly random point, so
 * the pick follows the ring's shares, i.e. the weights.
 */
export const POINTS_PER_ORIGIN = 160;
export const MAX_RING_POINTS = 1 << 20;
const SEED_KEY = 0x2f1e6a9b;
const SEED_POINT_A = 0x5bd1e995;
const SEED_POINT_B = 0x27d4eb2f;

export const hash: PickerFactory = (origins) => new RingHashPicker(origins);

/** Points per origin for this snapshot (exported for the property tests). */
export function pointCounts(weights: readonly number[]): number[] {
  const maxWeight = weights.reduce((m, w) => Math.max(m, w), 0);
  if (maxWeight <= 0) return weights.map(() => 0);
  const unit = 2 ** Math.floor(Math.log2(maxWeight));
  for (let scale = POINTS_PER_ORIGIN / unit; ; scale /= 2) {
    const counts = weights.map((w) => Math.max(1, Math.round(w * scale)));
    if (counts.reduce((a, b) => a + b, 0) <= MAX_RING_POINTS || counts.every((c) => c === 1)) return counts;
  }
}

/**
 * Sorts ring points ascending, carrying each point's owner along: an LSD radix sort,
 * O(points). It is stable, so equal points keep the order they were written in, which is
 * by origin id. Large rings use two 16-bit passes (fewer passes over memory), small ones
 * four 8-bit passes (a 65,536-bucket prefix sum would cost more than the data).
 * Float64Array#sort on packed keys took ~250 ms at 800,000 points on the bench machine.
 */
function sortRing(points: Uint32Array, owners: Uint16Array): void {
  const n = points.length;
  const bits = n >= 1 << 16 ? 16 : 8;
  const radix = 1 << bits;
  const mask = radix - 1;
  let srcP: Uint32Array = points;
  let srcO: Uint16Array = owners;
  let dstP: Uint32Array = new Uint32Array(n);
  let dstO: Uint16Array = new Uint16Array(n);
  const count = new Uint32Array(radix);
  for (let shift = 0; shift < 32; shift += bits) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(srcP[i]! >>> shift) & mask]!++;
    let sum = 0;
    for (let d = 0; d < radix; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = count[(srcP[i]! >>> shift) & mask]!++;
      dstP[at] = srcP[i]!;
      dstO[at] = srcO[i]!;
    }
    [srcP, dstP] = [dstP, srcP];
    [srcO, dstO] = [dstO, srcO];
  }
  // An even number of passes (2 or 4) leaves the result back in the caller's arrays.
}

class RingHashPicker implements Picker {
  private readonly index: Map<string, number>;
  /** Ring points ascending, and the rank (position by id) of the origin owning each. */
  private readonly points: Uint32Array;
  private readonly owners: Uint16Array;
  private readonly byRank: OriginEntry[];

  constructor(origins: readonly OriginEntry[]) {
    if (origins.length > 0xffff) throw new RangeError("hash: more than 65,535 origins in one pool");
    this.index = indexById(origins);
    this.byRank = [...origins].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const counts = pointCounts(this.byRank.map((o) => o.weight));
    const total = counts.reduce((a, b) => a + b, 0);
    const points = new Uint32Array(total);
    const owners = new Uint16Array(total);
    let p = 0;
    for (let rank = 0; rank < this.byRank.length; rank++) {
      const id = this.byRank[rank]!.id;
      const h1 = murmur3String(id, SEED_POINT_A);
      const h2 = murmur3String(id, SEED_POINT_B) | 1; // odd: v ↦ h1 + v·h2 is injective mod 2^32
      for (let v = 0, m = counts[rank]!; v < m; v++) {
        points[p] = fmix32((h1 + Math.imul(v, h2)) | 0);
        owners[p++] = rank;
      }
    }
    this.points = points;
    this.owners = owners;
    sortRing(this.points, this.owners);
  }

  pick(req: PickRequest): OriginEntry | undefined {
    if (allowedCount(this.index, req.exclude) === 0) return undefined;
    const point = req.key !== undefined ? murmur3String(req.key, SEED_KEY) : Math.floor(req.random() * 2 ** 32);
    const points = this.points;
    const n = points.length;
    // First ring point ≥ the key's point (lower bound), wrapping past the end to 0.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]! < point) lo = mid + 1;
      else hi = mid;
    }
    for (let step = 0, i = lo === n ? 0 : lo; step < n; step++, i = i + 1 === n ? 0 : i + 1) {
      const o = this.byRank[this.owners[i]!]!;
      if (req.exclude === undefined || !req.exclude.has(o.id)) return o;
    }
    return undefined; // unreachable: some allowed origin owns at least one point
  }
}
