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
  const lat = geo.lat;
  const lon = geo.lon;
  return pools
    .map((p, i) => ({ id: p.id, i, d: p.location ? distanceKm(lat, lon, p.location.lat, p.location.lon) : Infinity }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map((p) => p.id);
};
