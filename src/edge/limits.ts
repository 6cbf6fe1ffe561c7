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

/** What `request` exceeds, or undefined. `href`: request.url as the caller read it. */
export function limitViolation(href: string, headers: Headers, bodyCap: number = LIMITS.bodyBytes): LimitViolation | undefined {
  // href.length counts the scheme and authority too: a few dozen bytes of slack, no parse.
  if (href.length > LIMITS.urlBytes)
    return { status: 414, error: "uri_too_long", message: `the request URL is longer than ${LIMITS.urlBytes} bytes` };
  let total = 0;
  for (const [name, value] of headers) {
    if (value.length > LIMITS.fieldBytes)
      return { status: 431, error: "header_too_large", message: `header ${name.slice(0, 64)} is longer than ${LIMITS.fieldBytes} bytes` };
    total += name.length + value.length + 4;
  }
  if (total > LIMITS.headerBytes)
    return { status: 431, error: "headers_too_large", message: `the request headers exceed ${LIMITS.headerBytes} bytes` };
  const declared = headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > bodyCap)
    return { status: 413, error: "body_too_large", message: `the request body exceeds ${bodyCap} bytes` };
  return undefined;
}

export function limitResponse(v: LimitViolation): Response {
  return new Response(JSON.stringify({ error: v.error, message: v.message }), {
    status: v.status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}
