import { allowedCount, indexById } from "./support.js";
import type { LoadView, OriginEntry, Picker, PickerFactory, PickRequest } from "./types.js";
import { AliasTable } from "./weighted-sampler.js";

/**
 * p2c_ewma: power of two choices over peak-EWMA cost, after Finagle's `P2CPeakEwma` and
 * linkerd2-proxy's `PeakEwma` balancers. Two distinct origins are drawn in proportion to
 * weight; the one with the lower
 *
 *     cost = latencyMs × (1 + outstanding / weight)
 *
 * wins (the first draw on a tie). latencyMs is the router's peak-sensitive EWMA (Finagle
 * PeakEwma: jumps up to a slow sample at once, decays slowly), and the load factor is
 * Finagle's "cost × (pending + 1)" with the queue measured per unit of weight: a
 * weight-w origin is taken to have w times the capacity, so w·k requests in flight on it
 * cost what k cost a weight-1 origin. For weight 1 this is Finagle's formula exactly.
 *
 * Why weight divides the queue and not the whole cost: with `latency × (pending + 1) /
 * weight`, an idle pool compares latency / weight and the heavier origin of every pair
 * always wins, so a light origin gets no traffic (and no latency samples) until the
 * heavy ones queue up. Dividing only the queue makes idle costs equal, the weighted first
 * draw then spreads idle traffic by weight, and under load outstanding settles in
 * proportion to weight — both regimes respect the weights.
 *
 * Why two random choices rather than the global minimum: each isolate sees only its own
 * counts, and an argmin herds requests onto one origin between updates; two choices
 * keep most of the benefit without the herding (Mitzenmacher, "The Power of Two Choices
 * in Randomized Load Balancing", 2001). O(1) per pick: two alias draws, four LoadView reads.
 */
export const p2cEwma: PickerFactory = (origins, load) => new P2cEwmaPicker(origins, load);

class P2cEwmaPicker implements Picker {
  private readonly index: Map<string, number>;
  private readonly table: AliasTable;
  private readonly pair = new Int32Array(2);

  constructor(
    private readonly origins: readonly OriginEntry[],
    private readonly load: Pick<LoadView, "latencyMs" | "outstanding">,
  ) {
    this.index = indexById(origins);
    this.table = new AliasTable(origins.map((o) => o.weight));
  }

  pick(req: PickRequest): OriginEntry | undefined {
    if (allowedCount(this.index, req.exclude) === 0) return undefined;
    const got = this.table.drawDistinct(this.origins, req, 2, this.pair);
    if (got === 0) return undefined;
    const a = this.origins[this.pair[0]!]!;
    if (got === 1) return a;
    const b = this.origins[this.pair[1]!]!;
    return this.cost(b) < this.cost(a) ? b : a;
  }

  private cost(o: OriginEntry): number {
    return this.load.latencyMs(o.id) * (1 + this.load.outstanding(o.id) / o.weight);
  }
}
