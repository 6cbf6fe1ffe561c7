/**
 * The argmax of n lines v_i(t) = b_i + w_i·t at integer times t that only move forward,
 * with one line's offset changed after each query: a kinetic tournament (Basch, Guibas
 * & Hershberger, "Data structures for mobile data", SODA 1997; the "kinetic heap").
 *
 * A complete binary tree keeps, per internal node, the winner of its subtree and the
 * first time its certificate could fail (the loser's line overtaking the winner's).
 * Advancing time repairs only subtrees whose earliest failure has come; changing one
 * line repairs the path to the root. Ties go to the lower index. With a few changes per
 * step the work is O(log n) per step plus the certificate failures, which a line can
 * only cause against lines of smaller slope it has fallen behind.
 *
 * Failure times are computed conservatively (a little early): the repair re-evaluates
 * the lines exactly at the current time, so an early check costs a comparison and never
 * a wrong answer.
 */
export class KineticArgmax {
  private readonly size: number;
  private readonly win: Int32Array;
  private readonly fail: Float64Array;
  private readonly sub: Float64Array;
  private now = 0;

  constructor(
    private readonly b: Float64Array,
    private readonly w: Float64Array,
  ) {
    let size = 1;
    while (size < Math.max(1, b.length)) size *= 2;
    this.size = size;
    this.win = new Int32Array(2 * size).fill(-1);
    this.fail = new Float64Array(2 * size).fill(Infinity);
    this.sub = new Float64Array(2 * size).fill(Infinity);
    for (let i = 0; i < b.length; i++) this.win[size + i] = i;
    this.rebuild(0);
  }

  get time(): number {
    return this.now;
  }

  /** Recomputes every node at time t (start-up, and after the owner rebases its lines). */
  rebuild(t: number): void {
    this.now = t;
    for (let node = this.size - 1; node >= 1; node--) this.recompute(node);
  }

  /** The winner at time t ≥ the current time, or -1 when there are no lines. */
  argmaxAt(t: number): number {
    this.now = t;
    this.repair(1);
    return this.win[1]!;
  }

  /** Sets line i's offset; valid from the current time on. */
  setOffset(i: number, offset: number): void {
    this.b[i] = offset;
    for (let node = (this.size + i) >> 1; node >= 1; node >>= 1) this.recompute(node);
  }

  private value(i: number): number {
    return this.b[i]! + this.w[i]! * this.now;
  }

  private repair(node: number): void {
    if (this.sub[node]! > this.now || node >= this.size) return;
    this.repair(2 * node);
    this.repair(2 * node + 1);
    this.recompute(node);
  }

  private recompute(node: number): void {
    const l = this.win[2 * node]!;
    const r = this.win[2 * node + 1]!;
    let winner = l;
    let fail = Infinity;
    if (l < 0) winner = r;
    else if (r >= 0) {
      const vl = this.value(l);
      const vr = this.value(r);
      winner = vr > vl ? r : l; // equal values: l, the lower index
      fail = this.failure(winner, winner === l ? r : l);
    }
    this.win[node] = winner;
    this.fail[node] = fail;
    this.sub[node] = Math.min(fail, this.sub[2 * node]!, this.sub[2 * node + 1]!);
  }

  /** A time no later than the first integer time at which `loser` beats `winner`. */
  private failure(winner: number, loser: number): number {
    const dw = this.w[loser]! - this.w[winner]!;
    if (dw <= 0) return Infinity; // it cannot gain: the gap holds or grows
    const cross = (this.b[winner]! - this.b[loser]!) / dw;
    return Math.max(this.now + 1, Math.floor(cross) - 1);
  }
}
