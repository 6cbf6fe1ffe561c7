import type { SteeringPolicy } from "../../config/schema";
import type { ClientGeo } from "../geo";

/**
 * Policies whose order is a function of the client's place and the config alone: the same
 * client under the same routing table always gets the same list. The others read live load
 * or randomness and are ordered afresh for every request.
 */
const PLACE_ONLY: ReadonlySet<SteeringPolicy> = new Set<SteeringPolicy>(["proximity", "geo", "failover"]);

interface Remembered {
  /** The routing table (one per config version) the order was computed under. */
  table: object;
  pools: readonly string[];
}

/**
 * Each returning client's pool order, kept next to its geo (src/routing/geo-memo.ts).
 *
 * The geo memo hands a returning client the same ClientGeo object for up to a minute; this
 * keys the order on that object, so a hit costs one WeakMap lookup instead of ordering the
 * pools again (for `proximity`, a great-circle distance per pool and a sort): about 4 % of
 * the router's CPU per request in workerd (README, "Benchmarks"). Availability is not part
 * of the order (the proxy skips pools with nothing available while it walks the list), so
 * the order stays right while breakers open and close; a new config is a new routing table,
 * which the entry is checked against. Entries go when their geo object does (WeakMap).
 *
 * Only a geo object that is shared between requests is worth remembering: the caller says
 * so (a fresh object per request would fill the map for nothing).
 */
export class SteeringMemo {
  private readonly byGeo = new WeakMap<ClientGeo, Remembered>();
  readonly stats = { hits: 0, misses: 0 };

  /** The remembered order for this client under this table, if the policy allows one. */
  get(policy: SteeringPolicy, geo: ClientGeo, table: object): readonly string[] | undefined {
    if (!PLACE_ONLY.has(policy)) return undefined;
    const hit = this.byGeo.get(geo);
    if (hit !== undefined && hit.table === table) {
      this.stats.hits++;
      return hit.pools;
    }
    this.stats.misses++;
    return undefined;
  }

  /** Keeps an order computed for a shared geo object (ignored for live policies). */
  remember(policy: SteeringPolicy, geo: ClientGeo, table: object, pools: readonly string[]): void {
    if (PLACE_ONLY.has(policy)) this.byGeo.set(geo, { table, pools });
  }
}
