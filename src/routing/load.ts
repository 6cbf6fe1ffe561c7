import type { LoadView } from "./selection/types";
import type { PoolLoadView } from "./steering/types";

/**
 * Isolate-local load figures that pickers and steering read: in-flight counts, Finagle's
 * peak EWMA of latency, decaying error and request rates. Updated by the proxy after each
 * attempt; read synchronously by picks. The clock is injected.
 */

/** Finagle's PeakEwma default decay time (10 s). */
const DECAY_MS = 10_000;
/** Latency assumed for an origin never measured: low enough that new origins get tried. */
export const DEFAULT_LATENCY_MS = 50;
/** Added to a failed attempt's latency in the per-pool figure dynamic_latency steers by. */
export const FAILURE_PENALTY_MS = 1000;

interface OriginLoad {
  outstanding: number;
  latency: number;
  latencyAt: number;
  errorRate: number;
  rate: number;
  rateAt: number;
}

export class LoadStats implements LoadView, PoolLoadView {
  private readonly origins = new Map<string, OriginLoad>();
  private readonly poolInFlight = new Map<string, number>();
  /** colo → pool → EWMA: nested maps, so no key string is built per request. */
  private readonly poolLatency = new Map<string, Map<string, { ms: number; at: number }>>();

  constructor(private readonly now: () => number) {}

  private entry(id: string): OriginLoad {
    let e = this.origins.get(id);
    if (!e) {
      e = { outstanding: 0, latency: DEFAULT_LATENCY_MS, latencyAt: -1, errorRate: 0, rate: 0, rateAt: this.now() };
      this.origins.set(id, e);
    }
    return e;
  }

  outstanding(id: string): number {
    return this.origins.get(id)?.outstanding ?? 0;
  }

  latencyMs(id: string): number {
    return this.origins.get(id)?.latency ?? DEFAULT_LATENCY_MS;
  }

  poolOutstanding(poolId: string): number {
    return this.poolInFlight.get(poolId) ?? 0;
  }

  poolLatencyMs(colo: string, poolId: string): number | undefined {
    return this.poolLatency.get(colo)?.get(poolId)?.ms;
  }

  errorRate(id: string): number {
    return this.origins.get(id)?.errorRate ?? 0;
  }

  rps(id: string): number {
    const e = this.origins.get(id);
    if (!e) return 0;
    return e.rate * Math.exp(-(this.now() - e.rateAt) / DECAY_MS);
  }

  /** An attempt to the origin starts. */
  begin(poolId: string, originId: string, t = this.now()): void {
    const e = this.entry(originId);
    e.outstanding++;
    e.rate = e.rate * Math.exp(-(t - e.rateAt) / DECAY_MS) + 1000 / DECAY_MS;
    e.rateAt = t;
    this.poolInFlight.set(poolId, (this.poolInFlight.get(poolId) ?? 0) + 1);
  }

  /** The attempt ended (response headers, error or timeout). */
  end(poolId: string, originId: string, colo: string, latencyMs: number, failed: boolean, t = this.now()): void {
    const e = this.entry(originId);
    e.outstanding = Math.max(0, e.outstanding - 1);
    this.poolInFlight.set(poolId, Math.max(0, (this.poolInFlight.get(poolId) ?? 1) - 1));
    const w = e.latencyAt < 0 ? 0 : Math.exp(-Math.max(0, t - e.latencyAt) / DECAY_MS);
    // Peak EWMA: jump up to a worse sample at once, decay down slowly (Finagle PeakEwma).
    e.latency = latencyMs > e.latency ? latencyMs : e.latency * w + latencyMs * (1 - w);
    e.errorRate = e.errorRate * w + (failed ? 1 : 0) * (1 - w);
    e.latencyAt = t;
    // A failed attempt counts as a slow one, so a failing pool loses dynamic_latency rank
    // instead of staying "unmeasured" (which that policy explores first).
    const sample = failed ? latencyMs + FAILURE_PENALTY_MS : latencyMs;
    let byPool = this.poolLatency.get(colo);
    if (!byPool) this.poolLatency.set(colo, (byPool = new Map()));
    const prev = byPool.get(poolId);
    if (!prev) {
      byPool.set(poolId, { ms: sample, at: t });
      return;
    }
    const pw = Math.exp(-Math.max(0, t - prev.at) / DECAY_MS);
    prev.ms = prev.ms * pw + sample * (1 - pw);
    prev.at = t;
  }
}
