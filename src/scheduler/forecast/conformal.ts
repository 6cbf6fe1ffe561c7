import { quantile } from "./ml.js";

/**
 * Split-conformal 90% intervals per horizon step, from the model's own out-of-sample
 * residuals (Vovk et al., "Algorithmic Learning in a Random World"; Stankeviciute et al.
 * 2021 apply it per horizon step). Residuals are divided by sqrt(forecast + level) so that
 * one quantile fits both the quiet night and the busy afternoon (count data has variance
 * growing with the mean); the interval is mean ± q·sqrt(mean + level), floored at 0.
 * Residuals enter the pool only once their target time has passed (`release`), so a
 * backtest never calibrates on the future.
 */
export class ConformalCalibrator {
  private readonly pool: number[][];
  // Pending residuals as parallel number arrays: no object per residual (GC showed up in
  // the cron's CPU profile).
  private pendK: number[] = [];
  private pendAt: number[] = [];
  private pendV: number[] = [];
  private q: Float64Array;
  private stale = false;

  constructor(
    readonly horizon: number,
    private readonly level: number,
    private readonly maxPerStep = 2016,
    private readonly coverage = 0.9,
  ) {
    this.pool = Array.from({ length: horizon }, () => []);
    this.q = new Float64Array(horizon).fill(Number.NaN);
  }

  private scale(mean: number): number {
    return Math.sqrt(Math.max(0, mean) + Math.max(this.level, 1e-9));
  }

  /** Record the residual of step k (0-based) whose target index is `at`. */
  observe(k: number, at: number, forecast: number, actual: number): void {
    this.pendK.push(k);
    this.pendAt.push(at);
    this.pendV.push(Math.abs(actual - forecast) / this.scale(forecast));
  }

  /** Move residuals with target index < now into the pool; quantiles follow lazily. */
  release(now: number): void {
    let keep = 0;
    for (let i = 0; i < this.pendK.length; i++) {
      const at = this.pendAt[i] ?? 0;
      const k = this.pendK[i] ?? 0;
      const v = this.pendV[i] ?? 0;
      if (at < now) this.pool[k]?.push(v);
      else ((this.pendK[keep] = k), (this.pendAt[keep] = at), (this.pendV[keep++] = v));
    }
    this.pendK.length = this.pendAt.length = this.pendV.length = keep;
    this.stale = true;
  }

  private refresh(): void {
    this.stale = false;
    const q = new Float64Array(this.horizon);
    for (let k = 0; k < this.horizon; k++) {
      const pool = this.pool[k] ?? [];
      if (pool.length > this.maxPerStep) pool.splice(0, pool.length - this.maxPerStep);
      // Finite-sample conformal level ⌈(n+1)·0.9⌉/n.
      const n = pool.length;
      q[k] = n ? quantile(pool, Math.min(1, (Math.ceil((n + 1) * this.coverage) - 1) / Math.max(1, n - 1))) : Number.NaN;
    }
    // A step with no residual yet borrows the nearest earlier step's width.
    for (let k = 0; k < this.horizon; k++) if (!Number.isFinite(q[k] ?? Number.NaN) && k > 0) q[k] = q[k - 1] ?? Number.NaN;
    this.q = q;
  }

  /** Interval for step k around `mean`; infinite while nothing is calibrated yet. */
  interval(k: number, mean: number): { lo: number; hi: number } {
    if (this.stale) this.refresh();
    const q = this.q[Math.min(k, this.horizon - 1)] ?? Number.NaN;
    if (!Number.isFinite(q)) return { lo: 0, hi: Number.POSITIVE_INFINITY };
    const w = q * this.scale(mean);
    return { lo: Math.max(0, mean - w), hi: mean + w };
  }

  ready(): boolean {
    if (this.stale) this.refresh();
    return Number.isFinite(this.q[0] ?? Number.NaN);
  }
}
