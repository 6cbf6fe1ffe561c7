import type { RetriesConfig } from "../config/schema";
import type { Deadline, Deadlines } from "./deadlines";
import type { ClientGeo } from "./geo";
import { type ForwardInfo, forwardedHost, isWebSocketUpgrade, needsDownstreamRewrite, requestTarget, schemeAndHost, stripDownstream, upstreamHeaders } from "./headers";
import type { LoadStats } from "./load";
import type { RetryBudget } from "./retry-budget";
import type { PoolRuntime, RoutingTable } from "./table";
import { Walk, withCookies } from "./walk";

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
  deadlines: Pick<Deadlines, "add" | "settle"> & Partial<Pick<Deadlines, "release">>;
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
  /** Whether the request has x-edge-* fields, when the caller already knows (else looked up). */
  internalFields?: boolean;
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

/** The answer to a fault of the edge's own (a bug, not an origin's failure). */
export function faultAnswer(): Response {
  return errorResponse(502, "proxy_error", "the edge could not complete this request");
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
    if (req.internalFields !== undefined) forward.internalFields = req.internalFields;
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
        // No slot free: wait briefly for one a finishing retry hands over (see RetryBudget).
        const slot = deps.budget.acquire();
        if (slot === false || (slot !== true && !(await slot))) break;
        budgeted = true;
      }
      await result.response?.body?.cancel();
      target = next;
    }
    // No attempt at all: finish() answers 503 with Retry-After.
    // A response finish() built itself (an error, or an origin's with rewritten headers)
    // takes the cookies in place: one Response per request, not two.
    const res = finish(last, run.attempts, deps);
    return withCookies(res, run.cookies, proto === "https", res !== last?.response);
  } catch (err) {
    deps.onFault(err);
    return faultAnswer();
  } finally {
    deps.deadlines.release?.(req);
    if (budgeted) deps.budget.retryEnded();
    deps.budget.requestEnded();
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
  const watchdog = deps.deadlines.add(deadline, started, req);
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
    // Status, status text and a mutable copy of the headers in one native step (cheaper
    // than copying the headers first and handing them to the constructor).
    res = new Response(up.body, up);
    stripDownstream(res.headers, last.headers, deps.debugHeaders);
  } else if (last.outcome.kind === "timeout") {
    res = errorResponse(504, "origin_timeout", `origin ${last.origin} did not answer in time`);
  } else {
    res = errorResponse(502, "origin_unreachable", `origin ${last.origin} could not be reached`);
  }
  if (deps.debugHeaders) {
    const h = res.headers;
    if (last) {
      h.set("x-edge-pool", last.pool);
      h.set("x-edge-origin", last.origin);
    }
    h.set("x-edge-attempts", String(attempts));
  }
  return res;
}
