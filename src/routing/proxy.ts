import type { RetriesConfig } from "../config/schema";
import type { Deadline, Deadlines } from "./deadlines";
import type { ClientGeo } from "./geo";
import { type ForwardInfo, downstreamHeaders, forwardedHost, isWebSocketUpgrade, needsDownstreamRewrite, requestTarget, schemeAndHost, upstreamHeaders } from "./headers";
import type { LoadStats } from "./load";
import type { RetryBudget } from "./retry-budget";
import type { PickRequest } from "./selection/types";
import type { PoolRuntime, RoutingTable } from "./table";

/** How one upstream attempt ended, as the breaker and telemetry need it. */
export type AttemptOutcome =
  | { kind: "response"; status: number; latencyMs: number }
  | { kind: "connect"; latencyMs: number; message: string }
  | { kind: "timeout"; latencyMs: number };

export interface AttemptRecord {
  /** When the attempt started (epoch ms): decides its telemetry minute. */
  startedAt: number;
  /** When its outcome was known (epoch ms): the clock reading the breaker records it at. */
  endedAt: number;
  pool: string;
  origin: string;
  outcome: AttemptOutcome;
  retry: boolean;
  bytes: number;
}

/** What the proxy needs from the rest of the isolate (STYLE.md rule 10: narrow seams). */
export interface ProxyDeps {
  table: RoutingTable;
  load: LoadStats;
  budget: RetryBudget;
  retries: RetriesConfig;
  debugHeaders: boolean;
  /** May this origin take this request (half-open probe leases are consumed here)? */
  admit(originId: string, now: number): boolean;
  /** Called once per attempt, synchronously, when its outcome is known. */
  onAttempt(rec: AttemptRecord, req: ProxyRequest): void;
  fetch(url: string, init: RequestInit): Promise<Response>;
  /**
   * The clock. Each reading is a call into the runtime, and workerd's clock only moves when
   * I/O completes, so the proxy reads it once per attempt, when the attempt ends, and starts
   * from the caller's reading (ProxyRequest.now).
   */
  now(): number;
  random(): number;
  /** The isolate's per-try deadlines (src/routing/deadlines.ts). */
  deadlines: Pick<Deadlines, "add" | "settle">;
  /** A fresh, unguessable session token (cookie affinity). */
  newToken(): string;
  /** Seconds a client should wait before retrying when nothing is available. */
  retryAfterS: number;
  /** A fault in the proxy itself (a bug, not an origin's failure): logged by the caller. */
  onFault(err: unknown): void;
}

export interface ProxyRequest {
  request: Request;
  /** `request.url`, as read once by the caller. */
  href: string;
  url: URL;
  /** The caller's reading of the clock when the request arrived. */
  now: number;
  geo: ClientGeo;
  /** Pools to try, best first (steering output, fallback last). */
  pools: readonly string[];
  clientIp: string | undefined;
  /** The request's context: a deadline watchdog started by this request runs under it. */
  ctx: { waitUntil(promise: Promise<unknown>): void };
}

/** RFC 9110 §9.2.2 idempotent methods. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);

export function errorResponse(status: number, error: string, message: string, extra?: Record<string, string>): Response {
  return new Response(JSON.stringify({ error, message }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...extra },
  });
}

/**
 * Proxies one client request: picks a pool and origin, forwards, and on a retriable
 * failure retries on a different origin (same pool first, then the next pool) within the
 * attempt limit and the retry budget.
 *
 * Replay rule: a body can be sent twice only if it was buffered. Idempotent requests
 * with no body or a buffered one retry on every condition in `retries.on`; other methods
 * retry only after a connect error, which proves the origin never saw the request (a
 * timed-out POST may have been processed, so repeating it could apply it twice).
 * Bodies larger than `max_buffer_bytes`, or of unknown length, stream and are never retried.
 *
 * Never rejects: a fault of the proxy's own goes to `deps.onFault` and answers 502, so the
 * caller can hand this promise to the runtime as it is, without another await around it.
 */
export async function proxyRequest(req: ProxyRequest, deps: ProxyDeps): Promise<Response> {
  deps.budget.requestStarted();
  // Holds a retry slot of the budget from tryRetry() until that retry's attempt ends.
  let budgeted = false;
  try {
    const { request, url } = req;
    // Each property of a Request, Response or URL read is a call into the runtime: the ones
    // used more than once are read once here (request.headers, method, body; the URL parts),
    // and the scheme and host come from the URL string the caller already holds.
    const headers = request.headers;
    const method = request.method;
    const stream = request.body;
    const body = stream === null ? NO_BODY : await readBody(request, headers, stream, deps.retries.max_buffer_bytes);
    const { proto, host } = schemeAndHost(req.href);
    const connection = headers.get("connection");
    const forward: ForwardInfo = {
      connection,
      clientIp: req.clientIp,
      proto,
      host,
      forwardedHost: forwardedHost(host),
      websocket: isWebSocketUpgrade(connection, headers),
    };
    const run = new Walk(req, headers, deps);
    const send: Send = { method, headers: upstreamHeaders(headers, forward), target: requestTarget(url), body };
    const maxAttempts = 1 + deps.retries.attempts;
    // The time as of the latest I/O: the request's arrival, then each attempt's end.
    let now = req.now;
    let target = run.next(now);
    let last: AttemptResult | undefined;
    while (target) {
      const result = await attempt(target.pool, target.origin, req, send, deps, run.attempts > 0, now);
      now = result.endedAt;
      run.attempts++;
      if (budgeted) deps.budget.retryEnded();
      budgeted = false;
      last = result;
      if (run.attempts >= maxAttempts || !isRetriable(result.outcome, deps.retries.on) || !canReplay(method, body, result.outcome)) break;
      // Decide on the retry before discarding this answer: without one, it goes to the client.
      run.exclude(target.origin);
      const next = run.next(now);
      if (!next) break;
      // A connect error proves the origin never saw the request: moving it to another
      // origin is the failover the breaker would do anyway, so it does not spend the
      // retry budget (which guards against multiplying load on a struggling fleet).
      if (result.outcome.kind !== "connect") {
        if (!deps.budget.tryRetry()) break;
        budgeted = true;
      }
      await result.response?.body?.cancel();
      target = next;
    }
    // No attempt at all: finish() answers 503 with Retry-After.
    return withCookies(finish(last, run.attempts, deps), run.cookies, proto === "https");
  } catch (err) {
    deps.onFault(err);
    return errorResponse(502, "proxy_error", "the edge could not complete this request");
  } finally {
    if (budgeted) deps.budget.retryEnded();
    deps.budget.requestEnded();
  }
}

/**
 * One request's walk over the candidates: the current pool first, then the following
 * pools in order, never an origin already tried. One object per request; the set of
 * tried origins and the cookie list exist only once needed (most requests need neither).
 */
class Walk {
  attempts = 0;
  cookies: NewCookie[] | undefined;
  private tried: Set<string> | undefined;
  private poolIndex = 0;

  constructor(
    private readonly req: ProxyRequest,
    private readonly headers: Headers,
    private readonly deps: ProxyDeps,
  ) {}

  exclude(originId: string): void {
    (this.tried ??= new Set()).add(originId);
  }

  next(now: number): { pool: PoolRuntime; origin: string } | undefined {
    const { req, deps } = this;
    for (; this.poolIndex < req.pools.length; this.poolIndex++) {
      const pool = deps.table.pools.get(req.pools[this.poolIndex]!);
      if (!pool) continue;
      const key = pool.config.affinity.by === "none" ? undefined : affinityKey(pool, req.clientIp, this.headers, deps, (this.cookies ??= []));
      const origin = pickAdmitted(pool, key, this.tried, deps, now);
      if (origin) return { pool, origin };
    }
    return undefined;
  }
}

type Body = { kind: "none" } | { kind: "buffered"; bytes: ArrayBuffer } | { kind: "stream"; stream: ReadableStream<Uint8Array> };

const NO_BODY: Body = { kind: "none" };

async function readBody(request: Request, headers: Headers, stream: ReadableStream<Uint8Array>, maxBuffer: number): Promise<Body> {
  const declared = headers.get("content-length");
  const length = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
  if (length !== undefined && length <= maxBuffer) return { kind: "buffered", bytes: await request.arrayBuffer() };
  return { kind: "stream", stream };
}

function canReplay(method: string, body: Body, outcome: AttemptOutcome): boolean {
  if (body.kind === "stream") return false;
  if (IDEMPOTENT.has(method.toUpperCase())) return true;
  return outcome.kind === "connect";
}

function isRetriable(outcome: AttemptOutcome, on: readonly string[]): boolean {
  if (outcome.kind === "connect") return on.includes("connect");
  if (outcome.kind === "timeout") return on.includes("timeout");
  return on.includes(String(outcome.status));
}

/** A session cookie the response must set (cookie affinity, first visit). */
interface NewCookie {
  name: string;
  value: string;
  ttlS: number;
}

/**
 * The affinity key per pool. Cookie affinity as Cloudflare LB's `cookie` mode: a client
 * without the cookie gets a fresh random token as its key, and the response sets it, so
 * the next request hashes to the same origin (a missing header or IP hashes randomly).
 */
function affinityKey(
  pool: PoolRuntime,
  clientIp: string | undefined,
  headers: Headers,
  deps: Pick<ProxyDeps, "newToken">,
  issued: NewCookie[],
): string | undefined {
  const a = pool.config.affinity;
  switch (a.by) {
    case "none":
      return undefined;
    case "ip":
      return clientIp;
    case "header":
      return headers.get(a.name) ?? undefined;
    case "cookie": {
      const existing = readCookie(headers.get("cookie"), a.name) ?? issued.find((c) => c.name === a.name)?.value;
      if (existing !== undefined) return existing;
      const value = deps.newToken();
      issued.push({ name: a.name, value, ttlS: a.ttl_s });
      return value;
    }
  }
}

function withCookies(res: Response, cookies: readonly NewCookie[] | undefined, secure: boolean): Response {
  if (cookies === undefined || cookies.length === 0 || res.status === 101) return res;
  const out = new Response(res.body, res);
  for (const c of cookies)
    out.headers.append("set-cookie", `${c.name}=${c.value}; Max-Age=${c.ttlS}; Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`);
  return out;
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Picks an origin not yet tried whose breaker admits the request (probe leases included). */
function pickAdmitted(pool: PoolRuntime, key: string | undefined, tried: Set<string> | undefined, deps: ProxyDeps, now: number): string | undefined {
  if (!pool.picker) return undefined;
  // `tried` is copied only if a breaker refuses a pick (a half-open origin without a lease).
  let refused = tried;
  for (let i = 0; i < pool.available; i++) {
    const req: PickRequest = { random: deps.random };
    if (refused !== undefined) req.exclude = refused;
    if (key !== undefined) req.key = key;
    const pick = pool.picker.pick(req);
    if (!pick) return undefined;
    if (deps.admit(pick.id, now)) return pick.id;
    refused = refused === tried ? new Set(tried) : refused;
    refused!.add(pick.id);
  }
  return undefined;
}

/** What every attempt of one request sends: built once, whichever origin it goes to. */
interface Send {
  method: string;
  /** The upstream headers; fetch copies them, so every attempt can pass the same object. */
  headers: Headers;
  /** Path and query, appended to the origin's prefix. */
  target: string;
  body: Body;
}

interface AttemptResult {
  response?: Response;
  /** When the outcome was known (epoch ms). */
  endedAt: number;
  /** The response's headers, read once (each read of `response.headers` is a runtime call). */
  headers?: Headers;
  outcome: AttemptOutcome;
  pool: string;
  origin: string;
}

async function attempt(pool: PoolRuntime, originId: string, req: ProxyRequest, send: Send, deps: ProxyDeps, retry: boolean, started: number): Promise<AttemptResult> {
  const origin = pool.origins.get(originId)!;
  const poolId = pool.config.id;
  const init: RequestInit<RequestInitCfProperties> = { method: send.method, headers: send.headers, redirect: "manual" };
  if (origin.resolveOverride !== undefined) init.cf = { resolveOverride: origin.resolveOverride };
  const body = send.body;
  if (body.kind === "buffered") init.body = body.bytes;
  else if (body.kind === "stream") init.body = body.stream;
  // The per-try timeout covers the wait for response headers only; the deadline is settled
  // once they arrive, so a long download or a WebSocket is never cut by it.
  const controller = new AbortController();
  const signal = controller.signal;
  init.signal = signal;
  const deadline: Deadline = { at: started + deps.retries.per_try_timeout_ms, expire: () => controller.abort("per-try timeout") };
  const watchdog = deps.deadlines.add(deadline, started);
  if (watchdog) req.ctx.waitUntil(watchdog);
  deps.load.begin(poolId, originId, started);
  let response: Response | undefined;
  let outcome: AttemptOutcome;
  let endedAt: number;
  try {
    response = await deps.fetch(origin.prefix + send.target, init);
    endedAt = deps.now();
    outcome = { kind: "response", status: response.status, latencyMs: endedAt - started };
  } catch (err) {
    endedAt = deps.now();
    const latencyMs = endedAt - started;
    outcome = signal.aborted ? { kind: "timeout", latencyMs } : { kind: "connect", latencyMs, message: err instanceof Error ? err.message : String(err) };
  } finally {
    deps.deadlines.settle(deadline);
  }
  const failed = outcome.kind !== "response" || outcome.status >= 500;
  deps.load.end(poolId, originId, req.geo.colo ?? "", outcome.latencyMs, failed, endedAt);
  if (response === undefined) {
    deps.onAttempt({ startedAt: started, endedAt, pool: poolId, origin: originId, outcome, retry, bytes: 0 }, req);
    return { outcome, endedAt, pool: poolId, origin: originId };
  }
  const headers = response.headers;
  const bytes = Number(headers.get("content-length")) || 0;
  deps.onAttempt({ startedAt: started, endedAt, pool: poolId, origin: originId, outcome, retry, bytes }, req);
  return { response, headers, outcome, endedAt, pool: poolId, origin: originId };
}

function finish(last: AttemptResult | undefined, attempts: number, deps: ProxyDeps): Response {
  let res: Response;
  if (!last) {
    res = errorResponse(503, "no_available_origin", "no healthy origin can take this request", { "retry-after": String(deps.retryAfterS) });
  } else if (last.response && last.headers && last.outcome.kind === "response") {
    const up = last.response;
    const status = last.outcome.status;
    if (status === 101) return up;
    // Fast path: hand the origin's response back untouched when nothing must change.
    if (!deps.debugHeaders && !needsDownstreamRewrite(status, last.headers)) return up;
    res = new Response(up.body, { status, statusText: up.statusText, headers: downstreamHeaders(last.headers) });
  } else if (last.outcome.kind === "timeout") {
    res = errorResponse(504, "origin_timeout", `origin ${last.origin} did not answer in time`);
  } else {
    res = errorResponse(502, "origin_unreachable", `origin ${last.origin} could not be reached`);
  }
  if (deps.debugHeaders) {
    if (last) {
      res.headers.set("x-edge-pool", last.pool);
      res.headers.set("x-edge-origin", last.origin);
    }
    res.headers.set("x-edge-attempts", String(attempts));
  }
  return res;
}
