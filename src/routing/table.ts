import type { EdgeConfig, OriginConfig, PoolConfig, SelectionAlgorithm } from "../config/schema";
import { type OriginTarget, originTarget } from "./headers";
import type { LoadView, OriginEntry, Picker, PickerFactory } from "./selection/types";
import type { PoolCandidate } from "./steering/types";

/** Is this origin allowed traffic now (breaker, health)? Read synchronously. */
export type Availability = (originId: string) => boolean;

export interface PoolRuntime {
  readonly config: PoolConfig;
  readonly candidate: PoolCandidate;
  readonly origins: ReadonlyMap<string, { config: OriginConfig } & OriginTarget>;
  /** Undefined when no origin of the pool is available. */
  picker: Picker | undefined;
  available: number;
}

/**
 * The config compiled for picking: per pool, its parsed origin URLs and a picker over the
 * origins available now. Pickers are rebuilt (never patched) when availability changes,
 * so a pick always runs over one immutable snapshot (grpc-go base balancer's regeneratePicker).
 */
export class RoutingTable {
  readonly pools = new Map<string, PoolRuntime>();
  readonly candidates: readonly PoolCandidate[];
  private builtFor: readonly [number, number] = [-1, -1];

  /** @param production whether `host_header` may use cf.resolveOverride (see originTarget). */
  constructor(
    readonly config: EdgeConfig,
    readonly version: number,
    private readonly load: LoadView,
    private readonly factories: Record<SelectionAlgorithm, PickerFactory>,
    production = false,
  ) {
    for (const p of config.pools) {
      const origins = new Map(p.origins.map((o) => [o.id, { config: o, ...originTarget(o, production) }] as const));
      const candidate: PoolCandidate = p.location ? { id: p.id, weight: p.weight, location: p.location } : { id: p.id, weight: p.weight };
      this.pools.set(p.id, { config: p, candidate, origins, picker: undefined, available: 0 });
    }
    this.candidates = config.pools.map((p) => this.pools.get(p.id)!.candidate);
  }

  /**
   * Rebuilds every pool's picker when an availability generation (breakers, health) moved.
   * Two numbers, compared per request without building a key.
   */
  refresh(breakerGeneration: number, healthGeneration: number, isAvailable: Availability): void {
    if (breakerGeneration === this.builtFor[0] && healthGeneration === this.builtFor[1]) return;
    this.builtFor = [breakerGeneration, healthGeneration];
    for (const pool of this.pools.values()) {
      const entries: OriginEntry[] = [];
      for (const o of pool.config.origins) {
        if (!o.enabled || o.weight <= 0 || !isAvailable(o.id)) continue;
        entries.push(o.capacity_rps !== undefined ? { id: o.id, weight: o.weight, capacityRps: o.capacity_rps } : { id: o.id, weight: o.weight });
      }
      pool.available = entries.length;
      pool.picker = entries.length > 0 ? this.factories[pool.config.selection](entries, this.load) : undefined;
    }
  }
}
