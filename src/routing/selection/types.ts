/**
 * The one interface every origin-selection algorithm implements (STYLE.md rule 1).
 *
 * A factory is called when the pool's snapshot changes (config, health, breaker
 * availability) with the origins that may take traffic now; the picker it returns is
 * used for many picks until the next change. Picks are synchronous and never await
 * (grpc-go balancer.go: "Pick should not block"). A picker may keep small mutable
 * state of its own (a round-robin cursor), but reads live load only through LoadView.
 */

export interface OriginEntry {
  readonly id: string;
  /** Relative weight, > 0 (origins of weight 0 never reach a picker). */
  readonly weight: number;
  /** Great-circle distance from this isolate's colo/client to the origin's pool, if known (km). */
  readonly distanceKm?: number;
  /** Configured capacity in requests per second, if known. */
  readonly capacityRps?: number;
}

/** Live, isolate-local load figures, owned by the router and updated per request. */
export interface LoadView {
  /** Requests this isolate has in flight to the origin. */
  outstanding(originId: string): number;
  /** Peak-EWMA latency in ms (Finagle's peak EWMA); a neutral default when unseen. */
  latencyMs(originId: string): number;
  /** Recent error rate 0..1 (decaying). */
  errorRate(originId: string): number;
  /** Recent request rate from this isolate (requests per second, decaying). */
  rps(originId: string): number;
}

export interface PickRequest {
  /** Uniform in [0, 1); injected so tests are deterministic. */
  random(): number;
  /** Affinity key (cookie, header or client IP) for `hash`; absent otherwise. */
  key?: string;
  /** Origins already tried for this request; a picker returns none of them. */
  exclude?: ReadonlySet<string>;
}

export interface Picker {
  /** The chosen origin, or undefined when every origin is excluded. */
  pick(req: PickRequest): OriginEntry | undefined;
}

export type PickerFactory = (origins: readonly OriginEntry[], load: LoadView) => Picker;
