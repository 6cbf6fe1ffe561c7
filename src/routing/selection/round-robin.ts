import { allowedCount, indexById, isExcluded, randomIndex } from "./support.js";
import type { OriginEntry, Picker, PickerFactory, PickRequest } from "./types.js";

/**
 * round_robin: each origin in turn, weights ignored (use weighted_round_robin for them).
 *
 * The cursor starts at a random offset on the first pick, as grpc-go's roundrobin
 * picker does (balancer/roundrobin: "start at a random index"), so that thousands of
 * isolates that all rebuilt their picker at the same config change do not all send their
 * first request to origin 0. Randomness comes from the request, so the start is
 * deterministic under a seeded source.
 *
 * Retries skip excluded origins by walking forward from the cursor: O(1) expected when
 * few are excluded, O(n) at worst, and the cursor moves past the origin chosen.
 */
export const roundRobin: PickerFactory = (origins) => new RoundRobinPicker(origins);

class RoundRobinPicker implements Picker {
  private readonly index: Map<string, number>;
  private cursor = -1;

  constructor(private readonly origins: readonly OriginEntry[]) {
    this.index = indexById(origins);
  }

  pick(req: PickRequest): OriginEntry | undefined {
    const n = this.origins.length;
    if (allowedCount(this.index, req.exclude) === 0) return undefined;
    if (this.cursor < 0) this.cursor = randomIndex(req.random, n);
    for (let step = 0; step < n; step++) {
      const i = this.cursor;
      this.cursor = i + 1 === n ? 0 : i + 1;
      const o = this.origins[i]!;
      if (!isExcluded(req, o.id)) return o;
    }
    return undefined; // unreachable: allowedCount > 0 guarantees a hit within n steps
  }
}
