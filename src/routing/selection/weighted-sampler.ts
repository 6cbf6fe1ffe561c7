import { isExcluded, REJECTION_ATTEMPTS } from "./support.js";
import type { OriginEntry, PickRequest } from "./types.js";

/**
 * Weighted sampling in O(1) per draw with Walker's alias method, built in O(n) with
 * Vose's numerically stable variant (M. D. Vose, "A linear algorithm for generating
 * random numbers with a given distribution", IEEE TSE 17(9), 1991). One uniform number
 * picks both the column and the coin: with n ≤ 10,000 columns the fractional part still
 * carries ~39 bits, far below any bias a test could see.
 */
export class AliasTable {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;
  readonly totalWeight: number;

  constructor(private readonly weights: readonly number[]) {
    const n = weights.length;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    let total = 0;
    for (const w of weights) total += w;
    this.totalWeight = total;
    if (n === 0) return;
    const scaled = weights.map((w) => (w * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    // Leftovers are 1 up to rounding error (Vose's fix for the naive method's drift).
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
  }

  /** A draw with P(i) = w_i / Σw. */
  draw(random: () => number): number {
    const n = this.prob.length;
    const u = random() * n;
    let i = Math.floor(u);
    if (i >= n) i = n - 1;
    return u - i < this.prob[i]! ? i : this.alias[i]!;
  }

  /**
   * A draw restricted to origins the request has not excluded and not among the first
   * `skipCount` entries of `skip` (earlier draws of the same pick), with P(i) ∝ w_i over
   * that set; -1 when none is left. Rejection first (exact, and O(1) unless most of the
   * weight is excluded), then one linear pass over the allowed weights (also exact).
   */
  drawAllowed(origins: readonly OriginEntry[], req: PickRequest, skip?: Int32Array, skipCount = 0): number {
    for (let a = 0; a < REJECTION_ATTEMPTS; a++) {
      const i = this.draw(req.random);
      if (allowed(i, origins, req, skip, skipCount)) return i;
    }
    let total = 0;
    for (let i = 0; i < origins.length; i++) if (allowed(i, origins, req, skip, skipCount)) total += this.weights[i]!;
    if (total <= 0) return -1;
    let target = req.random() * total;
    let last = -1;
    for (let i = 0; i < origins.length; i++) {
      if (!allowed(i, origins, req, skip, skipCount)) continue;
      last = i;
      target -= this.weights[i]!;
      if (target < 0) return i;
    }
    return last; // rounding left a sliver of target: the last allowed origin takes it
  }

  /**
   * Up to `d` distinct allowed origins drawn in proportion to weight without
   * replacement, written into `out`; returns how many (fewer when fewer are allowed).
   */
  drawDistinct(origins: readonly OriginEntry[], req: PickRequest, d: number, out: Int32Array): number {
    let got = 0;
    while (got < d) {
      const i = this.drawAllowed(origins, req, out, got);
      if (i < 0) break;
      out[got++] = i;
    }
    return got;
  }
}

function allowed(i: number, origins: readonly OriginEntry[], req: PickRequest, skip: Int32Array | undefined, skipCount: number): boolean {
  for (let k = 0; k < skipCount; k++) if (skip![k] === i) return false;
  return !isExcluded(req, origins[i]!.id);
}
