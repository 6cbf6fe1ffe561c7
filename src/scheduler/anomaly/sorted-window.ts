/**
 * The last `capacity` values kept twice: in arrival order (a ring) and sorted, so order
 * statistics (median, quartiles, extremes) cost O(1) and a slide costs one binary search
 * and one shift of at most `capacity` numbers. Everything fitted from it is fitted on the past.
 */
export class SortedWindow {
  private readonly ring: Float64Array;
  private readonly sorted: number[] = [];
  private head = 0;

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
  }

  get size(): number {
    return this.sorted.length;
  }

  push(x: number): void {
    if (this.sorted.length === this.capacity) {
      const old = this.ring[this.head] ?? 0;
      this.sorted.splice(this.lowerBound(old), 1);
    }
    this.ring[this.head] = x;
    this.head = (this.head + 1) % this.capacity;
    this.sorted.splice(this.lowerBound(x), 0, x);
  }

  /** Linear-interpolated quantile, q in [0, 1]; NaN when empty. */
  quantile(q: number): number {
    const n = this.sorted.length;
    if (n === 0) return Number.NaN;
    const pos = q * (n - 1);
    const lo = Math.floor(pos);
    const a = this.sorted[lo] ?? Number.NaN;
    const b = this.sorted[Math.min(n - 1, lo + 1)] ?? a;
    return a + (b - a) * (pos - lo);
  }

  private lowerBound(x: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.sorted[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
