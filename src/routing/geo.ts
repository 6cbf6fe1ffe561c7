/**
 * Where the client is. In production this comes from `request.cf`; outside production a
 * request may carry `x-edge-geo: country=DE; continent=EU; lat=50.11; lon=8.68; colo=FRA`
 * instead (CONTRACT.md "Geo in development and tests"), because `wrangler dev` has no cf.
 */
export interface ClientGeo {
  country?: string;
  continent?: string;
  lat?: number;
  lon?: number;
  colo?: string;
}

export const GEO_HEADER = "x-edge-geo";

export interface CfLike {
  country?: unknown;
  continent?: unknown;
  latitude?: unknown;
  longitude?: unknown;
  colo?: unknown;
}

const TWO_LETTERS = /^[A-Za-z]{2}$/;
const code = (v: unknown): string | undefined => (typeof v === "string" && TWO_LETTERS.test(v) ? v.toUpperCase() : undefined);

const coord = (v: unknown, limit: number): number | undefined => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) && Math.abs(n) <= limit ? n : undefined;
};

const COLO = /^[A-Za-z0-9]{2,8}$/;
const colo = (v: unknown): string | undefined => (typeof v === "string" && COLO.test(v) ? v.toUpperCase() : undefined);

/** Reads geo from Cloudflare's `cf` object (lat/lon arrive as strings there). */
export function geoFromCf(cf: CfLike | undefined): ClientGeo {
  const out: ClientGeo = {};
  if (!cf) return out;
  const country = code(cf.country);
  if (country !== undefined) out.country = country;
  const continent = code(cf.continent);
  if (continent !== undefined) out.continent = continent;
  const lat = coord(cf.latitude, 90);
  const lon = coord(cf.longitude, 180);
  if (lat !== undefined && lon !== undefined) {
    out.lat = lat;
    out.lon = lon;
  }
  const c = colo(cf.colo);
  if (c !== undefined) out.colo = c;
  return out;
}

/** Parses the development override header; unknown keys and bad values are ignored. */
export function geoFromHeader(value: string | null): ClientGeo | undefined {
  if (value === null) return undefined;
  let country: string | undefined;
  let continent: string | undefined;
  let lat: string | undefined;
  let lon: string | undefined;
  let c: string | undefined;
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const v = part.slice(eq + 1).trim();
    switch (part.slice(0, eq).trim().toLowerCase()) {
      case "country":
        country = v;
        break;
      case "continent":
        continent = v;
        break;
      case "lat":
        lat = v;
        break;
      case "lon":
        lon = v;
        break;
      case "colo":
        c = v;
        break;
    }
  }
  return clean({ country: code(country), continent: code(continent), lat: coord(lat, 90), lon: coord(lon, 180), colo: colo(c) });
}

/**
 * The client's place: `fromCf` (what request.cf says), with the fields the x-edge-geo
 * header names replacing its own outside production. In production the header is not even
 * read (and the proxy strips it from what it forwards either way).
 */
export function clientGeo(fromCf: ClientGeo, headers: Pick<Headers, "get">, production: boolean): ClientGeo {
  if (production) return fromCf;
  const fromHeader = geoFromHeader(headers.get(GEO_HEADER));
  return fromHeader ? { ...fromCf, ...fromHeader } : fromCf;
}

function clean(g: ClientGeo): ClientGeo {
  const out: ClientGeo = {};
  if (g.country !== undefined) out.country = g.country;
  if (g.continent !== undefined) out.continent = g.continent;
  if (g.lat !== undefined && g.lon !== undefined) {
    out.lat = g.lat;
    out.lon = g.lon;
  }
  if (g.colo !== undefined) out.colo = g.colo;
  return out;
}

const EARTH_RADIUS_KM = 6371.0088; // IUGG mean radius

/** Great-circle distance by the haversine formula (km). */
export function distanceKm(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const rad = Math.PI / 180;
  const dLat = (bLat - aLat) * rad;
  const dLon = (bLon - aLon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(aLat * rad) * Math.cos(bLat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
