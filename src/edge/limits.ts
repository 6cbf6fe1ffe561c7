import { INTERNAL_PREFIX } from "../routing/headers";

/**
 * Request limits checked before anything else reads the request, one 4xx each with a JSON
 * body (CONTRACT.md errors). Cloudflare's front line enforces its own, larger limits
 * (16 KB URL, 128 KB of headers, 100 MB body on Free/Pro); these are the edge's own and
 * hold under `workerd` and `wrangler dev` too.
 */
export const LIMITS = {
  /** Path and query bytes (RFC 9112 §3 recommends supporting at least 8,000 octets). */
  urlBytes: 8192,
  /** All request header names and values together. */
  headerBytes: 32 * 1024,
  /** One header field's value (nginx's large_client_header_buffers line size). */
  fieldBytes: 8 * 1024,
  /** A proxied body with a declared length above this is refused (Cloudflare's Free/Pro cap). */
  bodyBytes: 100 * 1024 * 1024,
  /** A control-plane body (a config, buffered and parsed whole). */
  controlBodyBytes: 1024 * 1024,
} as const;

export interface LimitViolation {
  status: 413 | 414 | 431;
  error: string;
  message: string;
}

/** What one pass over a request's headers learns: the limit it breaks, if any, and more. */
export interface RequestScan {
  violation: LimitViolation | undefined;
  /**
   * Whether any field is named x-edge-* (the edge's own names, never forwarded upstream).
   * Known here, the proxy skips a second pass over the headers for the common request that
   * has none (each step of a Headers iterator is a call into the runtime).
   */
  internalFields: boolean;
}

/**
 * The limit `request` exceeds, if any, and whether it carries x-edge-* fields, in one pass.
 * `href`: request.url as the caller read it.
 */
export function scanRequest(href: string, headers: Headers, bodyCap: number = LIMITS.bodyBytes): RequestScan {
  // href.length counts the scheme and authority too: a few dozen bytes of slack, no parse.
  if (href.length > LIMITS.urlBytes)
    return { violation: { status: 414, error: "uri_too_long", message: `the request URL is longer than ${LIMITS.urlBytes} bytes` }, internalFields: false };
  let total = 0;
  let internalFields = false;
  for (const [name, value] of headers) {
    if (value.length > LIMITS.fieldBytes)
      return { violation: { status: 431, error: "header_too_large", message: `header ${name.slice(0, 64)} is longer than ${LIMITS.fieldBytes} bytes` }, internalFields };
    total += name.length + value.length + 4;
    // Headers iterate lower-cased names.
    if (name.startsWith(INTERNAL_PREFIX)) internalFields = true;
  }
  if (total > LIMITS.headerBytes)
    return { violation: { status: 431, error: "headers_too_large", message: `the request headers exceed ${LIMITS.headerBytes} bytes` }, internalFields };
  const declared = headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > bodyCap)
    return { violation: { status: 413, error: "body_too_large", message: `the request body exceeds ${bodyCap} bytes` }, internalFields };
  return { violation: undefined, internalFields };
}

export function limitResponse(v: LimitViolation): Response {
  return new Response(JSON.stringify({ error: v.error, message: v.message }), {
    status: v.status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}
