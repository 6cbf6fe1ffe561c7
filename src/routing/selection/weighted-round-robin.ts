import { KineticArgmax } from "./kinetic-tournament.js";
import { allowedCount, indexById, isExcluded, REJECTION_ATTEMPTS } from "./support.js";
import type { OriginEntry, Picker, PickerFactory, PickRequest } from "./types.js";

/**
 * weighted_round_robin: NGINX's smooth weighted round robin, the exact same sequence
 * (ngx_http_upstream_get_peer in ngx_http_upstream_round_robin.c): on every pick each
 * peer's current_weight grows by its weight, the largest (the first on a tie) is chosen
 * and its current_weight drops by the total. Weights 5,1,1 give a a b a c a a.
 *
 * NGINX scans every peer per pick, O(n). Here the same rule is evaluated in O(log n)
 * amortised: after t picks, current_i = b_i + w_i·t where b_i = −total × (times i was
 * chosen), so each peer is a line in t and the pick is the argmax of n lines at t —
 * a kinetic tournament (kinetic-tournament.ts) answers that without touching every peer.
 * Envoy's EDF scheduler (deadline += 1/weight) is also O(log n) but is not NGINX's
 * order: from a common start, 5,1,1 gives a a a a before b or c (deadlines 0.2…0.8 < 1).
 *
 * Retries: NGINX skips tried peers during its scan. Here the schedule moves on until it
 * reaches an origin not yet tried (the tried one loses that turn, which after a failure
 * is what we want); after REJECTION_ATTEMPTS turns (only when the excluded origins hold
 * most of the weight) the largest current weight among the allowed origins is taken
 * directly, as NGINX's scan would, in O(n).
 *
 * Time is rebased every REBASE_EVERY picks (b_i += w_i·t, t = 0) so values stay far
 * from 2^53: with integer weights all arithmetic is exact integers.
 */
export const REBASE_EVERY = 2 ** 24;

export const weightedRoundRobin: PickerFactory = (origins) => new SmoothWrrPicker(origins, REBASE_EVERY);

/** The picker with a chosen rebase period (tests use a short one to exercise it). */
export function smoothWrrPicker(origins: readonly OriginEntry[], rebaseEvery: number): Picker {
  return new SmoothWrrPicker(origins, rebaseEvery);
}

class SmoothWrrPicker implements Picker {
  private readonly index: Map<string, number>;
  private readonly offsets: Float64Array;
  private readonly weights: Float64Array;
  private readonly total: number;
  private readonly lines: KineticArgmax;

  constructor(
    private readonly origins: readonly OriginEntry[],
    private readonly rebaseEvery: number,
  ) {
    this.index = indexById(origins);
    this.offsets = new Float64Array(origins.length);
    this.weights = Float64Array.from(origins, (o) => o.weight);
    this.total = this.weights.reduce((a, b) => a + b, 0);
    this.lines = new KineticArgmax(this.offsets, this.weights);
  }

  pick(req: PickRequest): OriginEntry | undefined {
    const noExclusions = req.exclude === undefined || req.exclude.size === 0;
    if (this.origins.length === 0 || (!noExclusions && allowedCount(this.index, req.exclude) === 0)) return undefined;
    for (let a = 0; a < REJECTION_ATTEMPTS; a++) {
      const o = this.origins[this.next()]!;
      if (noExclusions || !isExcluded(req, o.id)) return o;
    }
    return this.origins[this.bestAllowed(req)];
  }

  /** One NGINX step: advance time, take the argmax, charge it the total. */
  private next(): number {
    if (this.lines.time >= this.rebaseEvery) this.rebase();
    const i = this.lines.argmaxAt(this.lines.time + 1);
    this.lines.setOffset(i, this.offsets[i]! - this.total);
    return i;
  }

  private bestAllowed(req: PickRequest): number {
    const t = this.lines.time + 1;
    this.lines.argmaxAt(t);
    let best = -1;
    let bestValue = -Infinity;
    this.origins.forEach((o, i) => {
      const v = this.offsets[i]! + this.weights[i]! * t;
      if (!isExcluded(req, o.id) && v > bestValue) {
        best = i;
        bestValue = v;
      }
    });
    this.lines.setOffset(best, this.offsets[best]! - this.total);
    return best;
  }

  private rebase(): void {
    const t = this.lines.time;
    for (let i = 0; i < this.offsets.length; i++) this.offsets[i] = this.offsets[i]! + this.weights[i]! * t;
    this.lines.rebuild(0);
  }
}
