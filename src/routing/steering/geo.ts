import type { SteeringPolicyFn } from "./types";

/**
 * Country first, then continent, then `default` (Cloudflare LB's geo steering by
 * country/region). Only the first matching key is used: a country entry is the operator's
 * complete answer for that country. Unknown pools were rejected by the schema.
 */
export const geo: SteeringPolicyFn = ({ geo: g, geoMap }) => {
  const keys = [g.country, g.continent, "default"];
  for (const k of keys) {
    if (k === undefined) continue;
    const list = geoMap[k];
    if (!list || list.length === 0) continue;
    // A fresh list (the router appends to it), each pool once even if the map repeats one.
    const out: string[] = [];
    for (const p of list) if (!out.includes(p)) out.push(p);
    return out;
  }
  return [];
};
