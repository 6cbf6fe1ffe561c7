import { GEO_HEADER } from "./geo";

/**
 * RFC 9110 §7.6.1 hop-by-hop fields that workerd's HTTP layer does not handle itself.
 * workerd never forwards Connection, Keep-Alive, TE, Trailer, Transfer-Encoding or Upgrade
 * from a fetch's headers, nor passes them on from an origin's response (it manages the
 * connection; Host comes from the URL), so deleting those here would be work for nothing.
 * What it does pass on in either direction is dropped here. Both behaviours are asserted
 * against real origins in test/runtime/router.test.ts ("forwarding").
 */
const HOP_UPSTREAM = ["proxy-authorization", "proxy-connection", GEO_HEADER] as const;
const HOP_DOWNSTREAM = ["proxy-authenticate", "proxy-connection"] as const;

/** Connection options that name no field: nothing to drop for them. */
function namesNoField(token: string): boolean {
  const t = token.toLowerCase();
  return t === "keep-alive" || t === "close" || t === "upgrade";
}

/** The prefix of the edge's own fields (geo override, debug headers): never client-settable. */
export const INTERNAL_PREFIX = "x-edge-";

/**
 * Fields a client's Connection header may not remove on their way upstream: what Cloudflare
 * sets about the client (cf-*, True-Client-IP) and the forwarding lists earlier hops wrote
 * (RFC 9110 §7.6.1 lets a sender name any field; a proxy need not obey it for fields whose
 * removal would hide where a request came from).
 */
export function isProtectedUpstream(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith("cf-") || n.startsWith("x-forwarded-") || n === "forwarded" || n === "true-client-ip" || n === "x-real-ip";
}

/** Deletes the fields a Connection header marks hop-by-hop (RFC 9110 §7.6.1), except `keep`. */
function dropConnectionListed(out: Headers, connection: string | null, keep?: (name: string) => boolean): void {
  // The common case, "keep-alive" (or "close"), is settled without splitting.
  if (connection === null || namesNoField(connection)) return;
  for (const token of connection.split(",")) {
    const t = token.trim();
    if (t && !namesNoField(t) && !keep?.(t)) out.delete(t);
  }
}

/** Deletes every x-edge-* field of `from` from `out` (Headers iterate lower-cased names). */
function dropInternal(out: Headers, from: Headers): void {
  for (const name of from.keys()) if (name.startsWith(INTERNAL_PREFIX)) out.delete(name);
}

export interface ForwardInfo {
  /** The request's Connection header, read once by the caller (null when absent). */
  connection: string | null;
  /** The client's address (cf-connecting-ip), if known. */
  clientIp: string | undefined;
  /** "http" or "https": the scheme the client used. */
  proto: string;
  /** The Host the client asked for. */
  host: string;
  /** `host` made safe for a quoted-string in Forwarded (computed once per request). */
  forwardedHost: string;
  /** True for a WebSocket upgrade: Upgrade/Connection pass through. */
  websocket: boolean;
  /**
   * Whether `incoming` has x-edge-* fields, if the caller knows (the limit check's pass over
   * the headers finds out); when false, upstreamHeaders skips its own pass. Unknown: looked up.
   */
  internalFields?: boolean;
}

/**
 * Whether a request asks to become a WebSocket (RFC 6455 §4.1: `Connection` lists
 * "upgrade" and `Upgrade` is "websocket"). Takes the Connection value the caller already
 * read, so the common request, which has no such token, costs no further header lookup.
 */
export function isWebSocketUpgrade(connection: string | null, headers: Pick<Headers, "get">): boolean {
  if (connection === null || !/(?:^|,)\s*upgrade\s*(?:,|$)/i.test(connection)) return false;
  const upgrade = headers.get("upgrade");
  return upgrade !== null && upgrade.trim().toLowerCase() === "websocket";
}

/**
 * The scheme and authority of a request URL as the runtime serialized it (`request.url`),
 * taken from the string instead of through URL getters: each getter is a call into the
 * runtime, and these two are read on every request. Userinfo, which no server request
 * carries, is dropped anyway; the authority is lowercased as the URL parser would.
 */
export function schemeAndHost(href: string): { proto: "http" | "https"; host: string } {
  const colon = href.indexOf(":");
  const proto = colon === 5 && href.slice(0, 5).toLowerCase() === "https" ? "https" : "http";
  const start = colon + 3; // past "://"
  // A serialized http(s) URL always has a path ("/") after its authority; "?" and "#" are
  // checked too, for a string that lacks one.
  let end = href.indexOf("/", start);
  if (end < 0) end = href.length;
  let authority = href.slice(start, end);
  const cut = authority.search(/[?#]/);
  if (cut >= 0) authority = authority.slice(0, cut);
  return { proto, host: authority.slice(authority.lastIndexOf("@") + 1).toLowerCase() };
}

/** The client's Host as a Forwarded quoted-string may carry it (RFC 7239 §4). */
export function forwardedHost(host: string): string {
  return host.replace(/["\\]/g, "");
}

/**
 * Headers for the upstream request: end-to-end fields kept; hop-by-hop fields, the
 * client's Host and every x-edge-* field dropped (the geo override and the debug names
 * are the edge's own, never forwarded in any environment; the geo override has been read
 * by then outside production); and the X-Forwarded-* / Forwarded (RFC 7239) fields
 * appended with what this hop saw. The client's Connection cannot remove cf-* or
 * forwarding fields (isProtectedUpstream).
 */
export function upstreamHeaders(incoming: Headers, info: ForwardInfo): Headers {
  // Copy natively, then delete: cheaper in workerd than iterating entries in JS.
  const out = new Headers(incoming);
  dropConnectionListed(out, info.connection, isProtectedUpstream);
  for (const name of HOP_UPSTREAM) out.delete(name);
  // The upstream Host comes from the origin URL (or host_header); the client's is dropped
  // here rather than left to the runtime to ignore.
  out.delete("host");
  if (info.internalFields !== false) dropInternal(out, incoming);
  if (info.websocket) {
    out.set("upgrade", "websocket");
    out.set("connection", "Upgrade");
  }
  // Appended as field lines of their own: X-Forwarded-For and Forwarded are lists, so a
  // new line means the same as ", value" after the prior ones (RFC 9110 §5.3), and no
  // runtime call is spent reading the prior value.
  if (info.clientIp) out.append("x-forwarded-for", info.clientIp);
  out.set("x-forwarded-proto", info.proto);
  out.set("x-forwarded-host", info.host);
  const node = info.clientIp ? (info.clientIp.includes(":") ? `"[${info.clientIp}]"` : info.clientIp) : "unknown";
  out.append("forwarded", `for=${node};host="${info.forwardedHost}";proto=${info.proto}`);
  return out;
}

/**
 * Response headers for the client: the hop-by-hop fields workerd would pass on, dropped,
 * and, unless debug headers are on, every x-edge-* field an origin set (an origin must not
 * be able to pose as the edge's own diagnostics).
 */
export function downstreamHeaders(upstream: Headers, debug = false): Headers {
  const out = new Headers(upstream);
  stripDownstream(out, upstream, debug);
  return out;
}

/**
 * downstreamHeaders' rules applied in place to `out`, a mutable copy of `upstream` (such as
 * the headers of `new Response(body, upstreamResponse)`, which the runtime copies natively
 * with the status and status text). `upstream` is read, never changed.
 */
export function stripDownstream(out: Headers, upstream: Headers, debug = false): void {
  dropConnectionListed(out, upstream.get("connection"));
  for (const name of HOP_DOWNSTREAM) out.delete(name);
  if (!debug) dropInternal(out, upstream);
}

/**
 * Whether a response needs its headers rewritten before it goes to the client (see
 * HOP_DOWNSTREAM); most do not, and go back untouched, without a copy.
 */
export function needsDownstreamRewrite(status: number, upstream: Headers, debug = false): boolean {
  // One pass over the names (each lookup or iterator step is a runtime call, and the
  // x-edge-* check has to walk them anyway); Connection's value is read only if present.
  let connection = false;
  for (const name of upstream.keys()) {
    if (name === "connection") connection = true;
    else if (name === "proxy-connection") return true;
    // Proxy-Authenticate belongs to 407 answers only (RFC 9110 §11.7.1).
    else if (name === "proxy-authenticate" && status === 407) return true;
    else if (!debug && name.startsWith(INTERNAL_PREFIX)) return true;
  }
  if (!connection) return false;
  const value = upstream.get("connection");
  if (value === null || namesNoField(value)) return false;
  return value.split(",").some((t) => t.trim() !== "" && !namesNoField(t.trim()));
}

/** The fixed part of every upstream URL for an origin: scheme, host, port and base path. */
export function originPrefix(origin: URL, host = origin.host): string {
  const base = origin.pathname.endsWith("/") ? origin.pathname.slice(0, -1) : origin.pathname;
  return `${origin.protocol}//${host}${base}`;
}

/** Where an origin's requests go: the URL prefix, and with a Host override the name to dial. */
export interface OriginTarget {
  prefix: string;
  /** `cf.resolveOverride`: connect to this name while the URL (so Host) names `host_header`. */
  resolveOverride?: string;
}

/**
 * Workers take the upstream Host from the URL and ignore a Host header set on fetch, so a
 * Host override is made the Cloudflare way: the URL carries `host_header` and
 * `cf.resolveOverride` dials the origin's own name (Cloudflare honours it when both names
 * are in the account's zone). workerd outside Cloudflare has no resolveOverride, so outside
 * production the edge dials the origin URL itself and the Host stays the origin's.
 */
export function originTarget(origin: { url: string; host_header?: string | undefined }, production: boolean): OriginTarget {
  const u = new URL(origin.url);
  if (!production || !origin.host_header) return { prefix: originPrefix(u) };
  const host = u.port ? `${origin.host_header}:${u.port}` : origin.host_header;
  return { prefix: originPrefix(u, host), resolveOverride: u.hostname };
}

/**
 * The upstream URL: the origin's prefix (see originPrefix), then the client's path and
 * query. Only the pathname and search of the client's already-parsed URL are used, so an
 * absolute-form target, a Host header, `..` (resolved by the URL parser, encoded or not),
 * encoded slashes or `@` cannot pick another host: the authority is fixed before the path,
 * which always starts with "/". Built as a string, no second parse on the request path.
 */
export function upstreamUrl(prefix: string, incoming: URL): string {
  return prefix + requestTarget(incoming);
}

/** The client's path (always starting with "/") and query: what follows an origin's prefix. */
export function requestTarget(incoming: URL): string {
  const path = incoming.pathname;
  return path.charCodeAt(0) === 47 /* "/" */ ? path + incoming.search : `/${path}${incoming.search}`;
}
