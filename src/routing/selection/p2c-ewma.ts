import { allowedCount, distinctChoices, indexById } from "./support.js";
import type { LoadView, OriginEntry, Picker, PickerFactory, PickRequest } from "./types.js";

/**
 * p2c_ewma: power of two choices over peak-EWMA cost, as Finagle's `P2CPeakEwma` and
 * linkerd2-proxy's `PeakEwma` balancers do. Two distinct origins are drawn uniformly;
 * the one with the lower
 *
 *     cost = latencyMs × (outstanding + 1) / weight
 *
 * wins (the first draw on a tie). latencyMs is the peak-sensitive EWMA the router keeps
 * (Finagle PeakEwma: jumps up to a slow sample at once, decays down slowly), and the
 * (outstanding + 1) factor is Finagle's "cost × (pending + 1)" load, so an origin that
 * has requests queued looks slower in proportion before its latency catches up.
 * Dividing by the configured weight makes a weight-2 origin look half as expensive,
 * i.e. it wins a pair against an equal peer until it carries twice the load.
 *
 * Why two random choices rather than the global minimum: every isolate reads only its
 * own counts, and the global argmin herds everyone onto the same origin between updates;
 * two choices keep most of the benefit with none of the herding (Mitzenmacher 2001).
 * Cost: two draws and four LoadView reads, O(1) at any pool size.
 */
export const p2cEwma: PickerFactory = (origins, load) => new P2cEwmaPicker(origins, load);

class P2cEwmaPicker implements Picker {
  private readonly index: Map<string, number>;
  private readonly pair = new Int32Array(2);

  constructor(
    private readonly origins: readonly OriginEntry[],
    private readonly load: Pick<LoadView, "latencyMs" | "outstanding">,
  ) {
    this.index = indexById(origins);
  }

  pick(req: PickRequest): OriginEntry | undefined {
    const allowed = allowedCount(this.index, req.exclude);
    if (allowed === 0) return undefined;
    const got = distinctChoices(this.origins, req, allowed, 2, this.pair);
    if (got === 0) return undefined;
    const a = this.origins[this.pair[0]!]!;
    if (got === 1) return a;
    const b = this.origins[this.pair[1]!]!;
    return this.cost(b) < this.cost(a) ? b : a;
  }

  private cost(o: OriginEntry): number {
    return (this.load.latencyMs(o.id) * (this.load.outstanding(o.id) + 1)) / o.weight;
  }
}
