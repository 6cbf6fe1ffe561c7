import { allowedCount, indexById, weightedArgmin } from "./support.js";
import type { LoadView, OriginEntry, Picker, PickerFactory, PickRequest } from "./types.js";
import { AliasTable } from "./weighted-sampler.js";

/**
 * least_outstanding: the origin with the fewest requests this isolate has in flight per
 * unit of weight (outstanding / weight, NGINX least_conn's "conns / weight" rule).
 *
 * - Pools of up to EXACT_SCAN_MAX origins: an exact scan. Ties, including the idle case
 *   where every count is 0, are broken at random in proportion to weight (NGINX breaks
 *   them with weighted round robin), so an idle pool still gets traffic by weight rather
 *   than always the first origin.
 * - Larger pools: Envoy LEAST_REQUEST's power of two choices (choice_count 2): two
 *   distinct origins drawn by weight, the lower outstanding/weight wins, the first draw
 *   on a tie. A full scan reads the LoadView n times (10,000 map lookups is ~100 µs),
 *   while two choices keep the pick O(1) and already remove the worst queues
 *   (Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing", 2001); it
 *   never picks the single most loaded origin.
 */
export const EXACT_SCAN_MAX = 16;

export const leastOutstanding: PickerFactory = (origins, load) => new LeastOutstandingPicker(origins, load);

class LeastOutstandingPicker implements Picker {
  private readonly index: Map<string, number>;
  private readonly table: AliasTable;
  private readonly pair = new Int32Array(2);

  constructor(
    private readonly origins: readonly OriginEntry[],
    private readonly load: Pick<LoadView, "outstanding">,
  ) {
    this.index = indexById(origins);
    this.table = new AliasTable(origins.map((o) => o.weight));
  }

  pick(req: PickRequest): OriginEntry | undefined {
    if (allowedCount(this.index, req.exclude) === 0) return undefined;
    return this.origins.length <= EXACT_SCAN_MAX ? this.scan(req) : this.twoChoices(req);
  }

  private perWeight(o: OriginEntry): number {
    return this.load.outstanding(o.id) / o.weight;
  }

  private scan(req: PickRequest): OriginEntry | undefined {
    return weightedArgmin(this.origins, req, (o) => this.perWeight(o));
  }

  private twoChoices(req: PickRequest): OriginEntry | undefined {
    const got = this.table.drawDistinct(this.origins, req, 2, this.pair);
    if (got === 0) return undefined;
    const first = this.origins[this.pair[0]!]!;
    if (got === 1) return first;
    const second = this.origins[this.pair[1]!]!;
    return this.perWeight(second) < this.perWeight(first) ? second : first;
  }
}
