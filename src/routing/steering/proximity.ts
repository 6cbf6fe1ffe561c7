import { distanceKm } from "../geo";
import { failover } from "./failover";
import type { SteeringPolicyFn } from "./types";

/**
 * Nearest pool first by great-circle distance from the client's lat/lon to each pool's
 * location. Without client coordinates (some cf requests lack them) it falls back to
 * failover order rather than guessing. Ties keep config order (stable sort).
 */
export const proximity: SteeringPolicyFn = (input) => {
  const { geo, pools } = input;
  if (geo.lat === undefined || geo.lon === undefined) return failover(input);
  // Insertion sort into two small arrays: this runs on every request, and pools are few.
  const ids: string[] = [];
  const km: number[] = [];
  for (const p of pools) {
    const d = p.location ? distanceKm(geo.lat, geo.lon, p.location.lat, p.location.lon) : Infinity;
    let j = ids.length;
    // Strictly greater: equal distances keep config order.
    while (j > 0 && km[j - 1]! > d) {
      ids[j] = ids[j - 1]!;
      km[j] = km[j - 1]!;
      j--;
    }
    ids[j] = p.id;
    km[j] = d;
  }
  return ids;
};
