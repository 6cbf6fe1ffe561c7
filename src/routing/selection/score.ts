import { allowedCount, indexById, weightedArgmin } from "./support.js";
import type { LoadView, OriginEntry, Picker, PickerFactory, PickRequest } from "./types.js";
import { AliasTable } from "./weighted-sampler.js";

/**
 * score: the origin with the lowest multi-factor cost, an estimate of the next
 * request's response time in ms with penalties:
 *
 *   cost = (latencyMs + distanceKm / 100)      expected response time, ms
 *        × (1 + outstanding / weight)          queue ahead of us, per unit of weight
 *        × (1 + 10 × errorRate)                a 10% error rate costs as much as 2× latency
 *        / max(headroom, 0.05)                 headroom = 1 − rps / capacityRps, M/M/1-style
 *
 * - distanceKm / 100: light in fibre covers ~200 km per ms, so 100 km is ~1 ms of round
 *   trip. It is added to (not a floor under) the measured latency on purpose: in a cold
 *   isolate every origin reports the same neutral latency and distance is the only
 *   geography we know; later it stays a mild locality preference. Unknown distance: 0.
 * - headroom: in an M/M/1 queue response time grows as 1 / (1 − utilisation); dividing
 *   by the spare fraction reproduces that, clamped at 5% (a ×20 penalty) so an origin at
 *   or over capacity is avoided but still reachable. Unknown capacity: headroom 1. The
 *   rps is this isolate's own rate (LoadView), a lower bound of the origin's load.
 * - errorRate is the decaying recent rate in 0..1; errors are often fast, and the factor
 *   keeps a fast-failing origin from attracting traffic by its low latency.
 * - weight divides the queue (as in p2c-ewma.ts, whose comment says why not the whole
 *   cost): a weight-w origin carries w times the in-flight requests at the same cost.
 *
 * Pools of up to EXACT_SCAN_MAX origins: the exact minimum, ties (an idle, cold pool)
 * broken at random in proportion to weight. Larger pools: the best of SAMPLE_CHOICES
 * distinct draws in proportion to weight, which keeps a pick O(1) (an exact scan at
 * 1,000 origins is 4,000 LoadView reads) and, like power-of-d choices, avoids herding
 * every request onto one origin. Greedy by design: in a small pool with sequential
 * traffic the best origin takes every request until its queue, rate or latency moves.
 */
export const EXACT_SCAN_MAX = 16;
export const SAMPLE_CHOICES = 4;
const ERROR_PENALTY = 10;
const MIN_HEADROOM = 0.05;
const KM_PER_MS_RTT = 100;

export const score: PickerFactory = (origins, load) => new ScorePicker(origins, load);

export function scoreCost(o: OriginEntry, load: LoadView): number {
  const expectedMs = load.latencyMs(o.id) + (o.distanceKm ?? 0) / KM_PER_MS_RTT;
  const errorFactor = 1 + ERROR_PENALTY * Math.min(Math.max(load.errorRate(o.id), 0), 1);
  let headroom = 1;
  if (o.capacityRps !== undefined && o.capacityRps > 0) headroom = 1 - load.rps(o.id) / o.capacityRps;
  headroom = Math.min(Math.max(headroom, MIN_HEADROOM), 1);
  return (expectedMs * (1 + load.outstanding(o.id) / o.weight) * errorFactor) / headroom;
}

class ScorePicker implements Picker {
  private readonly index: Map<string, number>;
  private readonly table: AliasTable;
  private readonly sample = new Int32Array(SAMPLE_CHOICES);

  constructor(
    private readonly origins: readonly OriginEntry[],
    private readonly load: LoadView,
  ) {
    this.index = indexById(origins);
    this.table = new AliasTable(origins.map((o) => o.weight));
  }

  pick(req: PickRequest): OriginEntry | undefined {
    if (allowedCount(this.index, req.exclude) === 0) return undefined;
    if (this.origins.length <= EXACT_SCAN_MAX) return this.scan(req);
    const got = this.table.drawDistinct(this.origins, req, SAMPLE_CHOICES, this.sample);
    let best: OriginEntry | undefined;
    let bestCost = Infinity;
    for (let k = 0; k < got; k++) {
      const o = this.origins[this.sample[k]!]!;
      const c = scoreCost(o, this.load);
      if (best === undefined || c < bestCost) {
        best = o;
        bestCost = c;
      }
    }
    return best;
  }

  private scan(req: PickRequest): OriginEntry | undefined {
    return weightedArgmin(this.origins, req, (o) => scoreCost(o, this.load));
  }
}
