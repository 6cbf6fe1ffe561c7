import { allowedCount, indexById } from "./support.js";
import type { OriginEntry, Picker, PickerFactory, PickRequest } from "./types.js";
import { AliasTable } from "./weighted-sampler.js";

/**
 * random: weighted random, P(origin) = weight / Σ weight (Cloudflare's default origin
 * steering, Envoy's RANDOM with weights). The alias table makes a pick O(1) at any pool
 * size; a retry redraws among the origins not yet tried, which keeps the law: the
 * distribution conditional on the exclusions is the weights renormalised over the rest.
 */
export const random: PickerFactory = (origins) => new RandomPicker(origins);

class RandomPicker implements Picker {
  private readonly index: Map<string, number>;
  private readonly table: AliasTable;

  constructor(private readonly origins: readonly OriginEntry[]) {
    this.index = indexById(origins);
    this.table = new AliasTable(origins.map((o) => o.weight));
  }

  pick(req: PickRequest): OriginEntry | undefined {
    if (req.exclude === undefined || req.exclude.size === 0) {
      return this.origins.length === 0 ? undefined : this.origins[this.table.draw(req.random)];
    }
    if (allowedCount(this.index, req.exclude) === 0) return undefined;
    const i = this.table.drawAllowed(this.origins, req);
    return i < 0 ? undefined : this.origins[i];
  }
}
