import { GEO_HEADER } from "./geo";

/** RFC 9110 §7.6.1 hop-by-hop fields, plus the de-facto ones proxies also drop. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

function connectionListed(headers: Headers): Set<string> {
  const listed = new Set<string>();
  for (const token of (headers.get("connection") ?? "").split(",")) {
    const t = token.trim().toLowerCase();
    if (t) listed.add(t);
  }
  return listed;
}

export interface ForwardInfo {
  /** The client's address (cf-connecting-ip), if known. */
  clientIp: string | undefined;
  /** "http" or "https": the scheme the client used. */
  proto: string;
  /** The Host the client asked for. */
  host: string;
  /** True for a WebSocket upgrade: Upgrade/Connection pass through. */
  websocket: boolean;
  /** Host header to send upstream instead of the origin URL's host. */
  hostOverride?: string;
}

/**
 * Headers for the upstream request: end-to-end fields kept, hop-by-hop and the geo
 * override dropped (the override is never forwarded, in any environment), and the
 * X-Forwarded-* / Forwarded (RFC 7239) fields appended with what this hop saw.
 */
export function upstreamHeaders(incoming: Headers, info: ForwardInfo): Headers {
  // Copy natively, then delete: cheaper in workerd than iterating entries in JS.
  const out = new Headers(incoming);
  for (const name of connectionListed(incoming)) out.delete(name);
  for (const name of HOP_BY_HOP) out.delete(name);
  out.delete(GEO_HEADER);
  out.delete("host");
  if (info.websocket) {
    out.set("upgrade", "websocket");
    out.set("connection", "Upgrade");
  }
  if (info.clientIp) {
    const prior = incoming.get("x-forwarded-for");
    out.set("x-forwarded-for", prior ? `${prior}, ${info.clientIp}` : info.clientIp);
  }
  out.set("x-forwarded-proto", info.proto);
  out.set("x-forwarded-host", info.host);
  const node = info.clientIp ? (info.clientIp.includes(":") ? `"[${info.clientIp}]"` : info.clientIp) : "unknown";
  const element = `for=${node};host="${info.host.replace(/["\\]/g, "")}";proto=${info.proto}`;
  const priorForwarded = incoming.get("forwarded");
  out.set("forwarded", priorForwarded ? `${priorForwarded}, ${element}` : element);
  if (info.hostOverride) out.set("host", info.hostOverride);
  return out;
}

/** Response headers for the client: hop-by-hop fields dropped (except on a 101 upgrade). */
export function downstreamHeaders(upstream: Headers, upgraded: boolean): Headers {
  const out = new Headers(upstream);
  if (upgraded) return out;
  for (const name of connectionListed(upstream)) out.delete(name);
  for (const name of HOP_BY_HOP) out.delete(name);
  return out;
}

/**
 * Whether a response needs its headers rewritten before it goes to the client. workerd
 * itself drops Connection, Keep-Alive, Trailer and Transfer-Encoding when it writes a
 * response, so only the hop-by-hop fields it would pass through are checked; most
 * responses then go back untouched, without a copy.
 */
export function needsDownstreamRewrite(upstream: Headers): boolean {
  if (upstream.has("proxy-authenticate") || upstream.has("upgrade")) return true;
  const connection = upstream.get("connection");
  // "keep-alive" / "close" name only fields workerd drops itself; anything else is a
  // field the origin marked hop-by-hop, which must not reach the client.
  return connection !== null && !/^\s*(keep-alive|close)\s*(,\s*(keep-alive|close)\s*)*$/i.test(connection);
}

/** The fixed part of every upstream URL for an origin: scheme, host, port and base path. */
export function originPrefix(origin: URL): string {
  const base = origin.pathname.endsWith("/") ? origin.pathname.slice(0, -1) : origin.pathname;
  return `${origin.protocol}//${origin.host}${base}`;
}

/**
 * The upstream URL: the origin's prefix (see originPrefix), then the client's path and
 * query. Only the pathname and search of the client's already-parsed URL are used, so an
 * absolute-form target, a Host header, `..` (resolved by the URL parser, encoded or not),
 * encoded slashes or `@` cannot pick another host: the authority is fixed before the path,
 * which always starts with "/". Built as a string, no second parse on the request path.
 */
export function upstreamUrl(prefix: string, incoming: URL): string {
  const path = incoming.pathname.startsWith("/") ? incoming.pathname : `/${incoming.pathname}`;
  return `${prefix}${path}${incoming.search}`;
}
