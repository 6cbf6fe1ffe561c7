import type { RetriesConfig } from "../config/schema";
import type { ClientGeo } from "./geo";
import { type ForwardInfo, downstreamHeaders, needsDownstreamRewrite, upstreamHeaders, upstreamUrl } from "./headers";
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
  admit(originId: string): boolean;
  /** Called once per attempt, synchronously, when its outcome is known. */
  onAttempt(rec: AttemptRecord, req: ProxyRequest): void;
  fetch(url: string, init: RequestInit): Promise<Response>;
  now(): number;
  random(): number;
  /** Runs `fn` after `ms` unless the returned cancel function is called first. */
  setTimer(fn: () => void, ms: number): () => void;
  /** A fresh, unguessable session token (cookie affinity). */
  newToken(): string;
  /** Seconds a client should wait before retrying when nothing is available. */
  retryAfterS: number;
}

export interface ProxyRequest {
  request: Request;
  url: URL;
  geo: ClientGeo;
  /** Pools to try, best first (steering output, fallback last). */
  pools: readonly string[];
  clientIp: string | undefined;
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
 */
export async function proxyRequest(req: ProxyRequest, deps: ProxyDeps): Promise<Response> {
  const { request, url } = req;
  const method = request.method.toUpperCase();
  const websocket = (request.headers.get("upgrade") ?? "").toLowerCase() === "websocket";
  const body = request.body === null ? NO_BODY : await readBody(request, request.body, deps.retries.max_buffer_bytes);
  const forward: ForwardInfo = {
    clientIp: req.clientIp,
    proto: url.protocol.replace(":", ""),
    host: url.host,
    websocket,
  };
  const maxAttempts = 1 + deps.retries.attempts;
  const tried = new Set<string>();
  const cookies: NewCookie[] = [];

  let attempts = 0;
  let last: { response?: Response; outcome: AttemptOutcome } | undefined;
  let lastPool = "";
  let lastOrigin = "";
  const done = (): Response => withCookies(finish(last, lastPool, lastOrigin, attempts, deps), cookies, forward.proto === "https");

  // The next origin to try: the current pool first, then the following pools in order.
  let poolIndex = 0;
  const nextTarget = (): { pool: PoolRuntime; origin: string } | undefined => {
    for (; poolIndex < req.pools.length; poolIndex++) {
      const pool = deps.table.pools.get(req.pools[poolIndex]!);
      if (!pool) continue;
      const key = pool.config.affinity.by === "none" ? undefined : affinityKey(pool, req, deps, cookies);
      const origin = pickAdmitted(pool, key, tried, deps);
      if (origin) return { pool, origin };
    }
    return undefined;
  };

  deps.budget.requestStarted();
  try {
    let target = nextTarget();
    let budgeted = false;
    while (target) {
      attempts++;
      tried.add(target.origin);
      const result = await attempt(target.pool, target.origin, req, forward, body, deps, attempts > 1);
      if (budgeted) deps.budget.retryEnded();
      last = result;
      lastPool = target.pool.config.id;
      lastOrigin = target.origin;
      const retriable = isRetriable(result.outcome, deps.retries.on) && canReplay(method, body, result.outcome);
      if (!retriable || attempts >= maxAttempts) return done();
      // Decide on the retry before discarding this answer: without one, it goes to the client.
      const next = nextTarget();
      if (!next) return done();
      // A connect error proves the origin never saw the request: moving it to another
      // origin is the failover the breaker would do anyway, so it does not spend the
      // retry budget (which guards against multiplying load on a struggling fleet).
      budgeted = result.outcome.kind !== "connect";
      if (budgeted && !deps.budget.tryRetry()) return done();
      await result.response?.body?.cancel();
      target = next;
    }
    // No attempt at all: finish() answers 503 with Retry-After.
    return done();
  } finally {
    deps.budget.requestEnded();
  }
}

type Body = { kind: "none" } | { kind: "buffered"; bytes: ArrayBuffer } | { kind: "stream"; stream: ReadableStream<Uint8Array> };

const NO_BODY: Body = { kind: "none" };

async function readBody(request: Request, stream: ReadableStream<Uint8Array>, maxBuffer: number): Promise<Body> {
  const declared = request.headers.get("content-length");
  const length = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
  if (length !== undefined && length <= maxBuffer) return { kind: "buffered", bytes: await request.arrayBuffer() };
  return { kind: "stream", stream };
}

function canReplay(method: string, body: Body, outcome: AttemptOutcome): boolean {
  if (body.kind === "stream") return false;
  if (IDEMPOTENT.has(method)) return true;
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
function affinityKey(pool: PoolRuntime, req: ProxyRequest, deps: Pick<ProxyDeps, "newToken">, issued: NewCookie[]): string | undefined {
  const a = pool.config.affinity;
  switch (a.by) {
    case "none":
      return undefined;
    case "ip":
      return req.clientIp;
    case "header":
      return req.request.headers.get(a.name) ?? undefined;
    case "cookie": {
      const existing = readCookie(req.request.headers.get("cookie"), a.name) ?? issued.find((c) => c.name === a.name)?.value;
      if (existing !== undefined) return existing;
      const value = deps.newToken();
      issued.push({ name: a.name, value, ttlS: a.ttl_s });
      return value;
    }
  }
}

function withCookies(res: Response, cookies: readonly NewCookie[], secure: boolean): Response {
  if (cookies.length === 0 || res.status === 101) return res;
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
function pickAdmitted(pool: PoolRuntime, key: string | undefined, tried: Set<string>, deps: ProxyDeps): string | undefined {
  if (!pool.picker) return undefined;
  // `tried` is copied only if a breaker refuses a pick (a half-open origin without a lease).
  let refused: Set<string> = tried;
  for (let i = 0; i < pool.available; i++) {
    const req: PickRequest = { random: deps.random, exclude: refused };
    if (key !== undefined) req.key = key;
    const pick = pool.picker.pick(req);
    if (!pick) return undefined;
    if (deps.admit(pick.id)) return pick.id;
    if (refused === tried) refused = new Set(tried);
    refused.add(pick.id);
  }
  return undefined;
}

async function attempt(
  pool: PoolRuntime,
  originId: string,
  req: ProxyRequest,
  forward: ForwardInfo,
  body: Body,
  deps: ProxyDeps,
  retry: boolean,
): Promise<{ response?: Response; outcome: AttemptOutcome }> {
  const origin = pool.origins.get(originId)!;
  const target = upstreamUrl(origin.prefix, req.url);
  const started = deps.now();
  const poolId = pool.config.id;
  const colo = req.geo.colo ?? "";
  const headers = upstreamHeaders(req.request.headers, origin.config.host_header ? { ...forward, hostOverride: origin.config.host_header } : forward);
  // The per-try timeout covers the wait for response headers only; it is cleared once they
  // arrive, so a long download or a WebSocket is never cut by it.
  const controller = new AbortController();
  const signal = controller.signal;
  const cancelTimer = deps.setTimer(() => controller.abort("per-try timeout"), deps.retries.per_try_timeout_ms);
  const init: RequestInit = {
    method: req.request.method,
    headers,
    redirect: "manual",
    signal,
  };
  if (body.kind === "buffered") init.body = body.bytes;
  else if (body.kind === "stream") init.body = body.stream;
  deps.load.begin(poolId, originId);
  let result: { response?: Response; outcome: AttemptOutcome };
  try {
    const response = await deps.fetch(target, init);
    result = { response, outcome: { kind: "response", status: response.status, latencyMs: deps.now() - started } };
  } catch (err) {
    const latencyMs = deps.now() - started;
    result = signal.aborted
      ? { outcome: { kind: "timeout", latencyMs } }
      : { outcome: { kind: "connect", latencyMs, message: err instanceof Error ? err.message : String(err) } };
  } finally {
    cancelTimer();
  }
  const o = result.outcome;
  const failed = o.kind !== "response" || o.status >= 500;
  deps.load.end(poolId, originId, colo, o.latencyMs, failed);
  const bytes = Number(result.response?.headers.get("content-length") ?? 0) || 0;
  deps.onAttempt({ startedAt: started, pool: poolId, origin: originId, outcome: o, retry, bytes }, req);
  return result;
}

function finish(
  last: { response?: Response; outcome: AttemptOutcome } | undefined,
  pool: string,
  origin: string,
  attempts: number,
  deps: ProxyDeps,
): Response {
  let res: Response;
  if (!last) {
    res = errorResponse(503, "no_available_origin", "no healthy origin can take this request", { "retry-after": String(deps.retryAfterS) });
  } else if (last.response) {
    const up = last.response;
    const upgraded = up.status === 101;
    if (upgraded) return up;
    // Fast path: hand the origin's response back untouched when nothing must change.
    if (!deps.debugHeaders && !needsDownstreamRewrite(up.headers)) return up;
    res = new Response(up.body, { status: up.status, statusText: up.statusText, headers: downstreamHeaders(up.headers, false) });
  } else if (last.outcome.kind === "timeout") {
    res = errorResponse(504, "origin_timeout", `origin ${origin} did not answer in time`);
  } else {
    res = errorResponse(502, "origin_unreachable", `origin ${origin} could not be reached`);
  }
  if (deps.debugHeaders) {
    if (pool) res.headers.set("x-edge-pool", pool);
    if (origin) res.headers.set("x-edge-origin", origin);
    res.headers.set("x-edge-attempts", String(attempts));
  }
  return res;
}
