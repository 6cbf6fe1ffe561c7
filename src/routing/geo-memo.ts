import { type CfLike, type ClientGeo, geoFromCf } from "./geo";

/** How long a client's geo is reused before `request.cf` is read again. */
export const GEO_MEMO_TTL_MS = 60_000;
/** Clients remembered per isolate; past this the oldest entry goes (about 0.5 MiB at most). */
export const GEO_MEMO_MAX = 4096;

interface Memo {
  geo: ClientGeo;
  until: number;
}

/**
 * The client's geo, remembered by client address (`cf-connecting-ip`) for a minute.
 *
 * Reading `request.cf` makes the runtime parse and deep-freeze the whole cf object (two
 * dozen fields, more with bot management) on every request: about 6 % of the router's CPU
 * per request in workerd (README, "Benchmarks"). What steering uses from it (country, continent,
 * coordinates, colo) is a function of the client's address in this isolate's data centre,
 * which Cloudflare's geolocation does not change from one request to the next, so a client
 * that sends again within the TTL is steered without that parse.
 *
 * A request without a client address (local development, tests) is read afresh each time,
 * as is every request when the memo's size is 0 (the GEO_MEMO_SIZE var).
 * Entries are shared between requests and must not be mutated. The clock is injected.
 */
export class GeoMemo {
  private readonly byIp = new Map<string, Memo>();
  readonly stats = { hits: 0, misses: 0 };

  constructor(
    private readonly now: () => number,
    private readonly max = GEO_MEMO_MAX,
    private readonly ttlMs = GEO_MEMO_TTL_MS,
  ) {}

  get size(): number {
    return this.byIp.size;
  }

  /**
   * Whether lookup() for this address answers an object shared with the client's other
   * requests (it does for every address while the memo is on), so facts derived from it
   * may be kept with it.
   */
  shares(ip: string | undefined): boolean {
    return ip !== undefined && this.max > 0;
  }

  /** Geo for this client: remembered, or read from the request's `cf` (a runtime parse). */
  lookup(ip: string | undefined, request: { readonly cf?: unknown }, t = this.now()): ClientGeo {
    if (ip === undefined || this.max === 0) return geoFromCf(request.cf as CfLike | undefined);
    const hit = this.byIp.get(ip);
    if (hit !== undefined && hit.until > t) {
      this.stats.hits++;
      return hit.geo;
    }
    this.stats.misses++;
    const geo = geoFromCf(request.cf as CfLike | undefined);
    // Delete first: a re-inserted key moves to the end of the Map's order, so the first
    // key is always the least recently read from cf, and it is what goes when full.
    if (hit !== undefined) this.byIp.delete(ip);
    else if (this.byIp.size >= this.max) this.byIp.delete(this.byIp.keys().next().value!);
    this.byIp.set(ip, { geo, until: t + this.ttlMs });
    return geo;
  }
}
